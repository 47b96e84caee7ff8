package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fanfarehq/fanfare/bots/daemon"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/internal/redisconn"
	"github.com/fanfarehq/fanfare/web"
)

// Main is the whole daemon: Run starts it and returns once it serves; Close
// stops it. Tests run it on 127.0.0.1:0.
type Main struct {
	Config *config.Loaded
	Demo   bool
	// Listen overrides http.listen (tests use 127.0.0.1:0).
	Listen string
	Logger *slog.Logger
	// Console receives what a person must see at start (the one-time login link).
	Console io.Writer
	Now     func() time.Time

	conn     *redisconn.Conn
	daemon   *daemon.Daemon
	registry *prometheus.Registry
	server   *http.Server
	listener net.Listener
	served   chan error
	app      *app // the wired components, once Redis answers

	mu         sync.Mutex
	redisReady bool
}

// NewMain returns a Main with defaults for the quick start.
func NewMain(cfg *config.Loaded) *Main {
	return &Main{Config: cfg, Logger: slog.Default(), Console: io.Discard, Now: time.Now}
}

// Addr is the address the HTTP server listens on, once Run has started it.
func (m *Main) Addr() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// URL is the base URL of the HTTP server.
func (m *Main) URL() string { return "http://" + m.Addr() }

// Run starts the HTTP server at once (so /healthz answers and /readyz says
// why it is not ready), waits for Redis with backoff, wires the components and
// starts the jobs. It returns when everything runs, or with the error that
// stopped it; ctx only bounds the start.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	log := m.Logger
	m.registry = prometheus.NewRegistry()
	m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	redisURL := cfg.Redis.URL
	if m.Demo && redisURL != "" {
		// The demo's preview publishers would otherwise claim real approved
		// posts, and real replicas would publish the demo's campaigns.
		log.Warn("--demo ignores redis.url: the demo always runs on the embedded store")
		redisURL = ""
	}
	conn, err := redisconn.Open(redisURL, log)
	if err != nil {
		return err
	}
	m.conn = conn
	redisErrors := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "fanfare_redis_errors_total",
		Help: "Redis commands that failed (not counting missing keys).",
	})
	m.registry.MustRegister(redisErrors)
	conn.Client.AddHook(redisconn.ErrorCounter(func(cmd string, err error) {
		redisErrors.Inc()
		log.Debug("redis command failed", "command", cmd, "error", err)
	}))

	listen := cfg.HTTP.Listen
	if m.Listen != "" {
		listen = m.Listen
	}
	if len(cfg.Dashboard.Users) == 0 && !isLoopback(listen) {
		log.Warn("no dashboard users are configured: listening on 127.0.0.1 only, whatever http.listen says", "http_listen", listen)
		_, port, _ := net.SplitHostPort(listen)
		listen = net.JoinHostPort("127.0.0.1", port)
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("unable to listen on %s: %w", listen, err)
	}
	m.mu.Lock()
	m.listener = l
	m.mu.Unlock()
	handler := newLateHandler(m.bootHandler())
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(l) }()
	log.Info("http server listening", "addr", l.Addr().String())

	if err := redisconn.Wait(ctx, conn.Client, log); err != nil {
		return err
	}
	m.setRedisReady()

	m.daemon = daemon.New(conn.Client, daemon.Options{
		Prefix:     cfg.Redis.Prefix,
		Location:   cfg.Location(),
		Logger:     log,
		Now:        m.Now,
		Registerer: m.registry,
		Lease:      cfg.Schedule.LockLease,
	})
	a, err := m.wire(ctx)
	if err != nil {
		return err
	}
	m.app = a
	handler.set(a.handler)
	m.daemon.Start()
	if a.afterStart != nil {
		a.afterStart(ctx)
	}
	return nil
}

// Close shuts down senders before receivers, each with its own budget: the
// HTTP server first (webhooks and people create work), then the jobs and
// loops (a publish in flight may take up to its timeout), then Redis.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.daemon != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownJobsBudget)
		errs = append(errs, m.daemon.Shutdown(ctx))
		cancel()
	}
	if m.conn != nil {
		errs = append(errs, m.conn.Close())
	}
	return errors.Join(errs...)
}

// shutdownJobsBudget lets a publish request in flight finish (its timeout is
// a minute) rather than leave its post unknown.
const shutdownJobsBudget = 75 * time.Second

func (m *Main) setRedisReady() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.redisReady = true
}

// ready is /readyz: Redis answers and the jobs are alive.
func (m *Main) ready(ctx context.Context) error {
	m.mu.Lock()
	ok := m.redisReady
	m.mu.Unlock()
	if !ok || m.conn == nil {
		return errors.New("redis: not connected yet")
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := m.conn.Client.Ping(pctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if m.daemon == nil {
		return errors.New("jobs: not started yet")
	}
	if err := m.daemon.Healthy(); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return nil
}

// bootHandler serves the probes while Redis is awaited.
func (m *Main) bootHandler() http.Handler {
	probes := web.Probes(m.ready, m.Logger)
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", probes)
	mux.Handle("GET /readyz", probes)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Senders (the webhook, API clients) retry after this; the daemon
		// serves as soon as Redis answers (redisconn.Wait polls every second).
		w.Header().Set("Retry-After", "5")
		if strings.HasPrefix(r.URL.Path, "/hooks/") || strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"code":"unavailable","message":"fanfare is starting: storage unavailable; retry later"}}`+"\n")
			return
		}
		http.Error(w, "fanfare is starting: waiting for Redis", http.StatusServiceUnavailable)
	})
	return mux
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// lateHandler lets the server start before the components it will serve exist.
type lateHandler struct {
	mu sync.RWMutex
	h  http.Handler
}

func newLateHandler(h http.Handler) *lateHandler { return &lateHandler{h: h} }

func (l *lateHandler) set(h http.Handler) {
	l.mu.Lock()
	l.h = h
	l.mu.Unlock()
}

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.RLock()
	h := l.h
	l.mu.RUnlock()
	h.ServeHTTP(w, r)
}
