// Package xfake is a fake X API v2 server for tests across the repository. It
// checks what the real API checks (the OAuth 1.0a signature of every request,
// the credentials, the JSON body, the text) and answers with the real shapes,
// errors and rate-limit headers. Faults are injected per request.
//
//	srv := xfake.NewServer(t, xfake.Credentials{...})
//	c := x.NewClient(x.Options{BaseURL: srv.URL, ...})
//	srv.FailNext(503, "", nil)
package xfake

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots/internal/fault"
)

// The account every fake server speaks for.
const (
	UserID   = "1580000000000000001"
	Username = "fanfare_test"
	Name     = "Fanfare"
)

// DuplicateDetail is X's own words for a duplicate post.
const DuplicateDetail = "You are not allowed to create a Tweet with duplicate content."

// Credentials are the four OAuth 1.0a user-context secrets the fake accepts.
type Credentials struct {
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
}

// Metrics are a post's public_metrics.
type Metrics struct {
	RetweetCount    int64 `json:"retweet_count"`
	ReplyCount      int64 `json:"reply_count"`
	LikeCount       int64 `json:"like_count"`
	QuoteCount      int64 `json:"quote_count"`
	BookmarkCount   int64 `json:"bookmark_count"`
	ImpressionCount int64 `json:"impression_count"`
}

// Post is one post the fake holds, with its text as it was sent (responses
// carry it with links shortened to t.co and HTML entities, as X does).
type Post struct {
	ID        string
	Text      string
	CreatedAt time.Time
	ReplyTo   string
	QuoteOf   string
	MediaIDs  []string
	Metrics   Metrics
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	URL string

	creds  Credentials
	faults fault.Injector

	mu          sync.Mutex
	now         func() time.Time
	posts       []Post // oldest first; deleted posts are removed
	nextID      int64
	revoked     bool
	windows     fault.Windows // per endpoint, as X counts
	nonces      map[string]bool
	requests    int
	maxTextLen  int
	authFailure string // the last reason a request failed authentication
	media       map[string]*Media
}

// NewServer starts a fake that accepts the given credentials and stops it
// when the test ends. Without SetRateLimit each endpoint allows 10,000
// requests per 15 minutes.
func NewServer(t testing.TB, creds Credentials) *Server {
	t.Helper()
	s := &Server{
		creds:      creds,
		now:        time.Now,
		nextID:     1860000000000000000,
		nonces:     map[string]bool{},
		maxTextLen: 280,
		media:      map[string]*Media{},
	}
	s.windows.SetLimit(10000, 15*time.Minute)
	mux := http.NewServeMux()
	s.handle(mux, "POST /2/tweets", s.createPost)
	s.handle(mux, "DELETE /2/tweets/{id}", s.deletePost)
	s.handle(mux, "GET /2/tweets", s.lookupPosts)
	s.handle(mux, "GET /2/users/me", s.me)
	s.handle(mux, "GET /2/users/{id}/tweets", s.userPosts)
	s.handle(mux, "POST /2/media/upload", s.uploadMedia)
	s.handle(mux, "POST /2/media/metadata", s.mediaMetadata)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "Not Found Error", "about:blank", "No route matches "+r.Method+" "+r.URL.Path)
	})
	s.URL = s.faults.Start(t, mux)
	return s
}

// SetClock sets the clock that stamps posts and runs rate-limit windows.
// OAuth timestamps are always checked against the wall clock, which is what
// the client's signer uses.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Posts returns the posts the fake holds, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, len(s.posts))
	for i, p := range s.posts {
		p.MediaIDs = append([]string(nil), p.MediaIDs...)
		out[i] = p
	}
	return out
}

// AddPost stores a post as if it had been published earlier (for reconcile
// tests) and returns its id. A zero CreatedAt means now.
func (s *Server) AddPost(text string, createdAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if createdAt.IsZero() {
		createdAt = s.now()
	}
	return s.storeLocked(Post{Text: text, CreatedAt: createdAt.UTC()})
}

// SetMetrics sets a post's public metrics; it reports whether the post exists.
func (s *Server) SetMetrics(id string, m Metrics) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.posts {
		if s.posts[i].ID == id {
			s.posts[i].Metrics = m
			return true
		}
	}
	return false
}

// FailNext makes the next request (whatever its endpoint) answer status with
// body and the extra headers, without doing anything. Faults queue up in order.
func (s *Server) FailNext(status int, body string, headers map[string]string) {
	s.faults.Add(fault.Fault{Kind: fault.Fail, Status: status, Body: body, Header: headers})
}

// HangNext makes the next request be handled (a post is created) and then
// answered only after d, or never if the client gives up first: the client's
// timeout, an ambiguous outcome.
func (s *Server) HangNext(d time.Duration) {
	s.faults.Add(fault.Fault{Kind: fault.Hang, Delay: d})
}

// DropNext makes the next request be handled (a post is created) and then
// closes the connection without answering: the ambiguous case.
func (s *Server) DropNext() {
	s.faults.Add(fault.Fault{Kind: fault.Drop})
}

// SetRateLimit allows limit requests per endpoint in each window (counted
// from the first request of the window). Beyond it the fake answers 429 and
// counts a violation.
func (s *Server) SetRateLimit(limit int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows.SetLimit(limit, per)
}

// Violations counts the requests sent beyond the rate limit.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.windows.Violations()
}

// Requests counts the requests that passed authentication.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// RevokeToken makes every request fail with 401, as after the user revoked
// the app, until it is called with false.
func (s *Server) RevokeToken(revoked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = revoked
}

// LastAuthFailure says why the last rejected request failed authentication,
// for test failure messages.
func (s *Server) LastAuthFailure() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFailure
}

// handle wraps an endpoint with what every X request goes through:
// authentication, rate limiting, then any injected fault.
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		now := s.now()
		if reason := s.authenticate(r); reason != "" {
			s.authFailure = reason
			win := s.windows.Peek(pattern, now)
			s.mu.Unlock()
			setRateHeaders(w, win)
			writeProblem(w, http.StatusUnauthorized, "Unauthorized", "about:blank", "Unauthorized")
			return
		}
		s.requests++
		win, ok := s.windows.Take(pattern, now)
		s.mu.Unlock()
		setRateHeaders(w, win)
		if !ok {
			writeProblem(w, http.StatusTooManyRequests, "Too Many Requests", "about:blank", "Too Many Requests")
			return
		}
		s.faults.Run(w, r, "", h)
	})
}

func setRateHeaders(w http.ResponseWriter, win fault.Window) {
	// The header is in whole seconds: round up so that a client waiting until
	// then never arrives before the window really ends.
	secs := win.Reset.Unix()
	if win.Reset.Nanosecond() > 0 {
		secs++
	}
	w.Header().Set("x-rate-limit-limit", strconv.Itoa(win.Limit))
	w.Header().Set("x-rate-limit-remaining", strconv.Itoa(win.Remaining))
	w.Header().Set("x-rate-limit-reset", strconv.FormatInt(secs, 10))
}

// authenticate checks the OAuth 1.0a Authorization header the way X does and
// returns why it fails, or "" when the request is authentic.
func (s *Server) authenticate(r *http.Request) string {
	if s.revoked {
		return "token revoked"
	}
	oauth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err.Error()
	}
	for _, p := range []string{"oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"} {
		if len(oauth[p]) != 1 {
			return "missing or repeated " + p
		}
	}
	switch {
	case oauth.Get("oauth_consumer_key") != s.creds.ConsumerKey:
		return "unknown consumer key"
	case oauth.Get("oauth_token") != s.creds.AccessToken:
		return "unknown access token"
	case oauth.Get("oauth_signature_method") != "HMAC-SHA1":
		return "unsupported signature method " + oauth.Get("oauth_signature_method")
	case oauth.Has("oauth_version") && oauth.Get("oauth_version") != "1.0":
		return "unsupported oauth_version"
	}
	ts, err := strconv.ParseInt(oauth.Get("oauth_timestamp"), 10, 64)
	if err != nil {
		return "malformed oauth_timestamp"
	}
	if d := time.Since(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return "oauth_timestamp out of range"
	}
	params := oauth
	if ct := r.Header.Get("Content-Type"); ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return "malformed form body"
		}
		params = cloneValues(oauth)
		for k, v := range r.PostForm {
			params[k] = append(params[k], v...)
		}
	}
	base, err := SignatureBaseString(r.Method, requestURL(r), params)
	if err != nil {
		return err.Error()
	}
	want := Sign(base, s.creds.ConsumerSecret, s.creds.AccessTokenSecret)
	if !hmac.Equal([]byte(want), []byte(oauth.Get("oauth_signature"))) {
		return "signature mismatch for base string " + base
	}
	nonce := oauth.Get("oauth_nonce") + "/" + oauth.Get("oauth_timestamp")
	if s.nonces[nonce] {
		return "nonce replayed"
	}
	s.nonces[nonce] = true
	return ""
}

func cloneValues(v map[string][]string) map[string][]string {
	out := make(map[string][]string, len(v))
	for k, list := range v {
		out[k] = append([]string(nil), list...)
	}
	return out
}
