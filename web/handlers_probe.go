package web

import (
	"context"
	"net/http"
	"time"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) { serveHealthz(w) }

// readyz answers 503 with the reason when Redis (or whatever Ready checks) is
// not there, so a load balancer stops sending traffic.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	check := s.opt.Ready
	if check == nil {
		check = func(ctx context.Context) error { return s.opt.Redis.Ping(ctx).Err() }
	}
	serveReadyz(w, r, check)
}

// Probes serves GET /healthz and GET /readyz alone, answering exactly as the
// full server does, for a daemon still starting (waiting for Redis) before
// the rest of the server can be built.
func Probes(ready func(ctx context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { serveHealthz(w) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { serveReadyz(w, r, ready) })
	return mux
}

func serveHealthz(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func serveReadyz(w http.ResponseWriter, r *http.Request, ready func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	err := ready(ctx)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
