// Package mastodonfake is a fake Mastodon instance for one account, for tests
// across the repository. It checks what Mastodon checks (the bearer token,
// required fields, the instance's length rule with URLs counting 23, media
// that must be processed before it is attached, the Idempotency-Key) and
// answers with Mastodon's shapes, errors and X-RateLimit-* headers. Faults are
// injected per request or per route.
//
//	srv := mastodonfake.NewServer(t, "token")
//	c, _ := mastodon.NewClient(mastodon.Options{BaseURL: srv.URL, AccessToken: "token"})
//	srv.FailAfter("POST /api/v1/statuses", 502) // the status exists, the answer is a 502
package mastodonfake

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots/internal/fault"
)

// The account every fake speaks for.
const (
	AccountID = "109876543210"
	Username  = "fanfare"
)

// Status is one status the fake holds, with its text as sent.
type Status struct {
	ID             string
	Text           string
	Language       string
	Visibility     string
	MediaIDs       []string
	CreatedAt      time.Time
	Favourites     int64
	Reblogs        int64
	Replies        int64
	IdempotencyKey string
}

// Media is an uploaded attachment.
type Media struct {
	ID          string
	Type        string // sniffed
	Size        int
	Description string
	pending     int // GET /api/v1/media/:id answers 206 this many more times
	Attached    bool
}

type idemEntry struct {
	statusID string
	at       time.Time
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	URL string

	token  string
	faults fault.Injector

	mu              sync.Mutex
	now             func() time.Time
	statuses        []Status // oldest first
	media           map[string]*Media
	nextID          int64
	revoked         bool
	maxChars        int
	imageLimit      int
	processingPolls int
	windows         fault.Windows
	requests        int
	idem            map[string]idemEntry
	noV2Instance    bool
}

// NewServer starts a fake that accepts token and stops when the test ends.
// Without SetRateLimit each route allows 300 requests per 5 minutes.
func NewServer(t testing.TB, token string) *Server {
	t.Helper()
	s := &Server{
		token:      token,
		now:        time.Now,
		media:      map[string]*Media{},
		nextID:     110000000000000000,
		maxChars:   500,
		imageLimit: 16 << 20,
		idem:       map[string]idemEntry{},
	}
	s.windows.SetLimit(300, 5*time.Minute)
	mux := http.NewServeMux()
	s.handle(mux, "GET /api/v2/instance", s.instance)
	s.handle(mux, "GET /api/v1/accounts/verify_credentials", s.verifyCredentials)
	s.handle(mux, "GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	s.handle(mux, "POST /api/v1/statuses", s.createStatus)
	s.handle(mux, "GET /api/v1/statuses/{id}", s.getStatus)
	s.handle(mux, "POST /api/v2/media", s.uploadMedia)
	s.handle(mux, "GET /api/v1/media/{id}", s.getMedia)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found")
	})
	s.URL = s.faults.Start(t, mux)
	return s
}

// SetClock sets the clock that stamps statuses, runs rate-limit windows and
// expires idempotency keys.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetMaxCharacters sets the instance's status limit.
func (s *Server) SetMaxCharacters(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxChars = n
}

// SetImageLimit sets the instance's image size limit in bytes.
func (s *Server) SetImageLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.imageLimit = n
}

// SetProcessing makes every later upload answer 202 and stay unprocessed
// (GET /api/v1/media/:id answering 206) for polls reads.
func (s *Server) SetProcessing(polls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processingPolls = polls
}

// RemoveV2Instance makes GET /api/v2/instance answer 404, as old instances do.
func (s *Server) RemoveV2Instance() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noV2Instance = true
}

// SetRateLimit allows limit requests per route in each window. Beyond it the
// fake answers 429 and counts a violation.
func (s *Server) SetRateLimit(limit int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows.SetLimit(limit, per)
}

// RevokeToken makes every request fail with 401 until called with false.
func (s *Server) RevokeToken(revoked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = revoked
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

// Statuses returns the statuses, oldest first.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, len(s.statuses))
	for i, st := range s.statuses {
		st.MediaIDs = append([]string(nil), st.MediaIDs...)
		out[i] = st
	}
	return out
}

// MediaByID returns an uploaded attachment.
func (s *Server) MediaByID(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	return *m, true
}

// AddStatus stores a status as if posted earlier (zero createdAt: now) and
// returns its id.
func (s *Server) AddStatus(text string, createdAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if createdAt.IsZero() {
		createdAt = s.now()
	}
	return s.storeLocked(Status{Text: text, CreatedAt: createdAt, Visibility: "public"})
}

// SetCounts sets a status's favourites, reblogs and replies; it reports
// whether the status exists.
func (s *Server) SetCounts(id string, favourites, reblogs, replies int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.statuses {
		if s.statuses[i].ID == id {
			s.statuses[i].Favourites, s.statuses[i].Reblogs, s.statuses[i].Replies = favourites, reblogs, replies
			return true
		}
	}
	return false
}

// FailNext makes the next request to route ("" for any) answer status with
// body (a Mastodon error) and headers, without doing anything.
func (s *Server) FailNext(route string, status int, body string, headers map[string]string) {
	s.faults.Add(fault.Fault{Kind: fault.Fail, Route: route, Status: status, Body: body, Header: headers})
}

// FailAfter makes the next request to route be done (a status created) and
// then answered with status and an HTML error page, as a proxy in front of a
// struggling instance does.
func (s *Server) FailAfter(route string, status int) {
	s.faults.Add(fault.Fault{Kind: fault.FailAfter, Route: route, Status: status,
		Body:   "<html><body><h1>" + strconv.Itoa(status) + " " + http.StatusText(status) + "</h1></body></html>",
		Header: map[string]string{"Content-Type": "text/html"}})
}

// HangNext makes the next request to route be done and then answered only
// after d, or never if the client gives up first.
func (s *Server) HangNext(route string, d time.Duration) {
	s.faults.Add(fault.Fault{Kind: fault.Hang, Route: route, Delay: d})
}

// DropNext makes the next request to route be done and then closes the
// connection without answering.
func (s *Server) DropNext(route string) {
	s.faults.Add(fault.Fault{Kind: fault.Drop, Route: route})
}

// handle wraps a route with what every request goes through: the bearer
// token, the rate limit and its headers, then any injected fault.
func (s *Server) handle(mux *http.ServeMux, route string, h http.HandlerFunc) {
	mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case !ok || token == "" || token != s.token:
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, "The access token is invalid")
			return
		case s.revoked:
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, "The access token was revoked")
			return
		}
		s.requests++
		win, ok := s.windows.Take(route, s.now())
		s.mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(win.Limit))
		w.Header().Set("X-RateLimit-Reset", win.Reset.UTC().Format("2006-01-02T15:04:05.000Z"))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(win.Remaining))
		if !ok {
			writeError(w, http.StatusTooManyRequests, "Too many requests")
			return
		}
		s.faults.Run(w, r, route, h)
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	fault.WriteJSON(w, status, map[string]string{"error": msg})
}
