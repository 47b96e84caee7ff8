package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Roles a dashboard user may have.
const (
	RoleManager = "manager" // every action
	RoleViewer  = "viewer"  // read only
)

// User is a dashboard account from the config file.
type User struct {
	Name         string
	Role         string // RoleManager or RoleViewer
	PasswordHash string // bcrypt ($2a$/$2b$/$2y$) or argon2id ($argon2id$v=19$...)
}

// APIToken is a bearer token from the config file, known only by its digest.
type APIToken struct {
	Name   string
	SHA256 string // hex SHA-256 of the token
	// Scopes are what the token may do: ScopeRead, ScopeWrite, ScopeAdmin
	// (each includes the ones before). None means read only.
	Scopes []string
}

// API token scopes, each including the ones before it.
const (
	ScopeRead  = "read"  // every GET of the API and /metrics
	ScopeWrite = "write" // posts: create, edit, approve, reject, retry, resolve
	ScopeAdmin = "admin" // feeds and networks: add, remove, resume
)

// Options are everything the server needs; the daemon fills them from the config.
type Options struct {
	Queue      content.Queue    // required
	Campaigns  campaigns.Reader // required
	Feeds      content.FeedRegistry
	FetchFeed  func(ctx context.Context, url string) error // optional: "fetch now"
	Engagement bots.EngagementReader
	// Sources is the campaign sources' health (GET /api/v1/sources and the
	// banner); optional.
	Sources  campaigns.HealthReader
	Networks bots.NetworkStatusReader
	// ResumeNetwork lifts a pause (after the token was fixed); optional: the
	// banner and the API offer it only when set (bots.Networks.Resume fits).
	ResumeNetwork func(ctx context.Context, network string) (bool, error)
	// Hooks is the campaign webhook, mounted at POST /hooks/campaigns; it
	// authenticates its callers itself (HMAC).
	Hooks http.Handler
	// Ready answers /readyz; nil pings Redis.
	Ready         func(ctx context.Context) error
	Metrics       http.Handler
	MetricsPublic bool
	Users         []User
	APITokens     []APIToken
	PublicURL     string // e.g. https://fanfare.example.org, no trailing slash needed
	Location      *time.Location
	Redis         redis.UniversalClient // required: sessions, one-time logins, login limits
	Prefix        string                // default "fanfare"
	Now           func() time.Time
	Logger        *slog.Logger
	Version       string
	// EnabledNetworks are offered in the compose form (default x and facebook).
	EnabledNetworks []string
	// SecureCookies marks cookies Secure; set it when PublicURL is https.
	SecureCookies bool
	// Slots is the scheduler: approved posts get their slot at once (so
	// that the dashboard can say when they go out), a move in the calendar
	// is checked against caps, spacing and quiet hours, and an unplaced post
	// shows when it would go out. Optional: bots.Scheduler fits.
	Slots SlotPlanner
	// PlatformName titles the public Atom feeds; default "Fanfare".
	PlatformName string
	// DeadLetters are the milestone events set aside, shown on the Problems
	// page with replay and drop; optional (composer.DeadLetterBox fits).
	DeadLetters DeadLetterStore
	// ShortLinks answer GET /r/{code}; PledgeHook is POST /hooks/pledges
	// (webhook.NewPledgeHandler); Impact adds what posts did to the API and
	// serves the Impact page. All optional.
	ShortLinks ShortLinks
	PledgeHook http.Handler
	Impact     ImpactReader
	// Bandit shows and pins template variants on the Impact page; optional.
	Bandit VariantPinner
	// SessionLifetime ends a session this long after login, however busy
	// (default DefaultSessionLifetime); SessionIdle ends one unused this
	// long (default DefaultSessionIdle, at most SessionLifetime).
	SessionLifetime time.Duration
	SessionIdle     time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (see clientIP); none by default.
	TrustedProxies []netip.Prefix
}

// Server is the HTTP side of Fanfare. Build it with New.
type Server struct {
	opt       Options
	log       *slog.Logger
	now       func() time.Time
	loc       *time.Location
	users     map[string]User
	tokens    []apiToken
	pages     map[string]*template.Template
	routes    []route
	handler   http.Handler
	publicURL *url.URL
	probeLog  *probeLog
	atomCache atomCache
	verified  func(hash string) // tests: sees each hash a login is checked against
}

// New checks the options and builds the server.
func New(o Options) (*Server, error) {
	if o.Queue == nil {
		return nil, errors.New("web: Options.Queue is required")
	}
	if o.Campaigns == nil {
		return nil, errors.New("web: Options.Campaigns is required")
	}
	if o.Redis == nil {
		return nil, errors.New("web: Options.Redis is required (sessions)")
	}
	if err := keyspace.Check(o.Prefix); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if len(o.EnabledNetworks) == 0 {
		o.EnabledNetworks = []string{content.NetworkX, content.NetworkFacebook}
	}
	if o.SessionLifetime <= 0 {
		o.SessionLifetime = DefaultSessionLifetime
	}
	if o.SessionIdle <= 0 {
		o.SessionIdle = DefaultSessionIdle
	}
	o.SessionIdle = min(o.SessionIdle, o.SessionLifetime)
	if o.PublicURL == "" {
		o.PublicURL = "http://127.0.0.1:8080"
	}
	if strings.TrimSpace(o.PlatformName) == "" {
		o.PlatformName = "Fanfare"
	}
	pu, err := url.Parse(strings.TrimRight(o.PublicURL, "/"))
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("web: public URL %q is not an absolute http(s) URL", o.PublicURL)
	}
	s := &Server{
		opt:       o,
		log:       o.Logger.With("component", "web"),
		now:       o.Now,
		loc:       o.Location,
		users:     make(map[string]User, len(o.Users)),
		publicURL: pu,
	}
	s.probeLog = &probeLog{log: s.log}
	for i, u := range o.Users {
		if err := checkUser(u); err != nil {
			return nil, fmt.Errorf("web: users[%d]: %w", i, err)
		}
		if _, dup := s.users[u.Name]; dup {
			return nil, fmt.Errorf("web: users[%d]: name %q is listed twice", i, u.Name)
		}
		s.users[u.Name] = u
	}
	for i, t := range o.APITokens {
		at, err := parseAPIToken(t)
		if err != nil {
			return nil, fmt.Errorf("web: api_tokens[%d]: %w", i, err)
		}
		s.tokens = append(s.tokens, at)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// Handler is the whole HTTP surface: dashboard, API, feeds, hooks, probes.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		if strings.Contains(rt.pattern, "/posts/{id}") || strings.Contains(rt.pattern, "/digests/{id}") {
			rt.handler = s.checkPostID(rt.handler)
		}
		mux.Handle(rt.pattern, s.guard(rt))
	}
	cop := http.NewCrossOriginProtection()
	// Machines post to the webhook without Origin headers, but a proxy could add
	// some: the HMAC signature is what protects it, not the origin.
	cop.AddInsecureBypassPattern("POST /hooks/campaigns")
	cop.AddInsecureBypassPattern("POST /hooks/pledges")
	// Behind a reverse proxy the Host header may not be the public name; the
	// public URL's origin is ours whatever the proxy says.
	if err := cop.AddTrustedOrigin(s.publicURL.Scheme + "://" + s.publicURL.Host); err != nil {
		s.log.Warn("public URL is not a usable origin", "public_url", s.publicURL.String(), "error", err)
	}
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	var h http.Handler = cop.Handler(mux)
	h = s.securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.accessLog(h)
	return h
}

// statusWriter remembers the status a handler wrote, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs every request at debug level, and server errors at warn.
// Query strings stay out: a one-time login token travels in one.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration_ms", time.Since(start).Milliseconds(), "remote_addr", s.clientAddr(r))
	})
}

// crossOriginDenied answers a request CrossOriginProtection refused: the API
// gets its JSON error, a person a page in the layout saying what to do. The
// page takes the remembered language but never honours ?lang= here: a
// refused cross-site request must not set even that cookie.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	if isAPIPath(r.URL.Path) {
		writeAPIError(w, http.StatusForbidden, "forbidden", "cross-origin request refused", "")
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), localeKey, newLocale(preferredLang(r))))
	s.renderError(w, r, http.StatusForbidden, "err.cross_origin")
}

// csp keeps scripts and styles to our own files: no inline script or style
// anywhere, images from https for link cards.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if s.opt.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// checkPostID refuses a post id that is not a ULID before it reaches the
// store: ids end up in key names, and "<id>:audit" must not name another
// key. Such a post does not exist, and every answer says so as for any
// missing post: the API's 404 names the field, a page is a 404, a form a
// flash.
func (s *Server) checkPostID(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); !content.ValidID(id) {
			switch {
			case isAPIPath(r.URL.Path):
				writeAPIError(w, http.StatusNotFound, "not_found", "post not found: id is not a post id (26 characters of Crockford base32)", "id")
			case isSafeMethod(r.Method):
				s.renderError(w, r, http.StatusNotFound, "err.post_not_found")
			default:
				s.fail(w, r, content.ErrNotFound, "/")
			}
			return
		}
		next(w, r)
	}
}

func isAPIPath(p string) bool { return strings.HasPrefix(p, "/api/") }
