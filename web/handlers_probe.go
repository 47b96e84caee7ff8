package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) { serveHealthz(w) }

// readyz answers 503 when Redis (or whatever Ready checks) is not there, so
// a load balancer stops sending traffic. Strangers read only which part is
// unavailable ("redis: unavailable"); the error itself goes to the log and,
// for a signed-in user or an API token, into the answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	check := s.opt.Ready
	if check == nil {
		check = func(ctx context.Context) error { return s.opt.Redis.Ping(ctx).Err() }
	}
	s.probeLog.serve(w, r, check, s.signedIn(r))
}

// signedIn reports whether the request carries a valid API token or
// dashboard session, without answering for it.
func (s *Server) signedIn(r *http.Request) bool {
	if _, ok := s.bearer(r); ok {
		return true
	}
	sess, ok, err := s.sessionFrom(r)
	if err != nil || !ok {
		return false
	}
	_, ok = s.sessionIdentity(sess)
	return ok
}

// Probes serves GET /healthz and GET /readyz alone, answering exactly as the
// full server does to strangers, for a daemon still starting (waiting for
// Redis) before the rest of the server can be built. log gets the detail
// (nil: slog.Default()).
func Probes(ready func(ctx context.Context) error, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	pl := &probeLog{log: log.With("component", "web")}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { serveHealthz(w) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { pl.serve(w, r, ready, false) })
	return mux
}

func serveHealthz(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// probeLog logs why the daemon is not ready: once per distinct reason and at
// most once a minute for the same one, as probes come every few seconds.
type probeLog struct {
	log  *slog.Logger
	mu   sync.Mutex
	last string
	at   time.Time
}

func (p *probeLog) serve(w http.ResponseWriter, r *http.Request, ready func(ctx context.Context) error, detailed bool) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	err := ready(ctx)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err == nil {
		_, _ = w.Write([]byte("ready\n"))
		return
	}
	p.note(err)
	msg := publicReason(err)
	if detailed {
		msg = err.Error()
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("not ready: " + msg + "\n"))
}

func (p *probeLog) note(err error) {
	if p == nil || p.log == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if msg := err.Error(); msg != p.last || time.Since(p.at) >= time.Minute {
		p.last, p.at = msg, time.Now()
		p.log.Warn("not ready", "error", err)
	}
}

// publicReason names the part that is not ready ("redis: unavailable"),
// nothing more: error texts carry addresses and internal names.
func publicReason(err error) string {
	part, _, ok := strings.Cut(err.Error(), ":")
	if !ok || part == "" || len(part) > 20 || strings.ContainsAny(part, " ./[]@") {
		part = "fanfare"
	}
	return part + ": unavailable"
}
