// Package bskyfake is a fake Bluesky PDS (with the AppView reads it forwards)
// for one account, for tests across the repository. It checks what a PDS
// checks (app-password login, access and refresh tokens with expiry, the
// repo's DID, record keys, the post lexicon: 300 graphemes, facet byte
// ranges, embeds and their blobs), executes putRecord's compare-and-swap and
// createRecord's refusal of a taken key like the reference PDS, and answers
// with XRPC error bodies and ratelimit-* headers. Faults are injected per
// request or per method.
package bskyfake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
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
	DID    = "did:plc:fanfare0test0account0000"
	Handle = "fanfare.bsky.social"
)

// Record is a stored post.
type Record struct {
	RKey    string
	CID     string
	Value   map[string]any
	Text    string
	Likes   int64
	Reposts int64
	Replies int64
	Quotes  int64
	Indexed time.Time
}

type blob struct {
	mime string
	size int
}

type token struct {
	refresh bool
	expires time.Time
	used    bool
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	URL string

	appPassword string
	faults      fault.Injector

	mu        sync.Mutex
	now       func() time.Time
	records   map[string]*Record // by rkey
	order     []string           // rkeys in write order
	blobs     map[string]blob
	handles   map[string]string
	tokens    map[string]*token
	accessTTL time.Duration
	logins    int
	refreshes int
	windows   fault.Windows
	requests  int
}

// NewServer starts a fake PDS that accepts appPassword for Handle (or DID)
// and stops when the test ends. Access tokens live 2 hours unless
// SetAccessTTL says otherwise; each method allows 3,000 requests per 5
// minutes unless SetRateLimit says otherwise.
func NewServer(t testing.TB, appPassword string) *Server {
	t.Helper()
	s := &Server{
		appPassword: appPassword, now: time.Now,
		records: map[string]*Record{}, blobs: map[string]blob{}, handles: map[string]string{Handle: DID},
		tokens: map[string]*token{}, accessTTL: 2 * time.Hour,
	}
	s.windows.SetLimit(3000, 5*time.Minute)
	mux := http.NewServeMux()
	s.handle(mux, "com.atproto.server.createSession", http.MethodPost, none, s.createSession)
	s.handle(mux, "com.atproto.server.refreshSession", http.MethodPost, refresh, s.refreshSession)
	s.handle(mux, "com.atproto.server.getSession", http.MethodGet, access, s.getSession)
	s.handle(mux, "com.atproto.identity.resolveHandle", http.MethodGet, none, s.resolveHandle)
	s.handle(mux, "com.atproto.repo.uploadBlob", http.MethodPost, access, s.uploadBlob)
	s.handle(mux, "com.atproto.repo.putRecord", http.MethodPost, access, s.putRecord)
	s.handle(mux, "com.atproto.repo.createRecord", http.MethodPost, access, s.createRecord)
	s.handle(mux, "com.atproto.repo.getRecord", http.MethodGet, none, s.getRecord)
	s.handle(mux, "app.bsky.feed.getAuthorFeed", http.MethodGet, access, s.getAuthorFeed)
	s.handle(mux, "app.bsky.feed.getPosts", http.MethodGet, access, s.getPosts)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
	})
	s.URL = s.faults.Start(t, mux)
	return s
}

// SetClock sets the clock of tokens, windows and indexing.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetAccessTTL sets the lifetime of access tokens issued from now on.
func (s *Server) SetAccessTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessTTL = d
}

// ExpireTokens makes every access token issued so far expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if !t.refresh {
			t.expires = s.now().Add(-time.Second)
		}
	}
}

// RevokeSessions forgets every token and changes the app password (as when
// the app password is revoked).
func (s *Server) RevokeSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]*token{}
	s.appPassword = "revoked-" + s.appPassword
}

// SetRateLimit allows limit requests per method in each window; beyond it
// the fake answers 429 and counts a violation.
func (s *Server) SetRateLimit(limit int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows.SetLimit(limit, per)
}

// AddHandle makes handle resolve to did.
func (s *Server) AddHandle(handle, did string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handles[strings.ToLower(handle)] = did
}

// Logins and Refreshes count the sessions created and refreshed.
func (s *Server) Logins() int    { s.mu.Lock(); defer s.mu.Unlock(); return s.logins }
func (s *Server) Refreshes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.refreshes }

// Violations counts requests sent beyond the rate limit.
func (s *Server) Violations() int { s.mu.Lock(); defer s.mu.Unlock(); return s.windows.Violations() }

// Requests counts the requests that reached a method.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// Records returns the stored posts in write order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.records[k])
	}
	return out
}

// SetCounts sets a post's counters by rkey; it reports whether it exists.
func (s *Server) SetCounts(rkey string, likes, reposts, quotes, replies int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.records[rkey]
	if r == nil {
		return false
	}
	r.Likes, r.Reposts, r.Quotes, r.Replies = likes, reposts, quotes, replies
	return true
}

// AddPost stores a post written elsewhere (the app) and returns its rkey.
func (s *Server) AddPost(text string, createdAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rkey := "3l" + strings.ToLower(base32.StdEncoding.EncodeToString(randomBytes(7)))[:11]
	value := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": createdAt.UTC().Format(time.RFC3339Nano)}
	s.storeLocked(rkey, value)
	return rkey
}

// Fail makes the next request to method ("" for any) answer status with an
// XRPC error, without doing anything.
func (s *Server) Fail(method string, status int, name, message string, headers map[string]string) {
	b, _ := json.Marshal(map[string]string{"error": name, "message": message})
	s.faults.Add(fault.Fault{Kind: fault.Fail, Route: method, Status: status, Body: string(b), Header: headers})
}

// FailAfter makes the next request to method be done and then answered with
// status and a bare InternalServerError.
func (s *Server) FailAfter(method string, status int) {
	s.faults.Add(fault.Fault{Kind: fault.FailAfter, Route: method, Status: status, Body: `{"error":"InternalServerError","message":"Internal Server Error"}`})
}

// HangNext makes the next request to method be done and answered after d.
func (s *Server) HangNext(method string, d time.Duration) {
	s.faults.Add(fault.Fault{Kind: fault.Hang, Route: method, Delay: d})
}

// DropNext makes the next request to method be done and the connection
// closed without an answer.
func (s *Server) DropNext(method string) {
	s.faults.Add(fault.Fault{Kind: fault.Drop, Route: method})
}

type authNeed int

const (
	none authNeed = iota
	access
	refresh
)

func (s *Server) handle(mux *http.ServeMux, nsid, method string, need authNeed, h http.HandlerFunc) {
	mux.HandleFunc("/xrpc/"+nsid, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			writeError(w, http.StatusMethodNotAllowed, "InvalidRequest", "Incorrect HTTP method ("+r.Method+") expected "+method)
			return
		}
		s.mu.Lock()
		if need != none {
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			t := s.tokens[tok]
			switch {
			case tok == "" || t == nil:
				s.mu.Unlock()
				writeError(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
				return
			case (need == refresh) != t.refresh:
				s.mu.Unlock()
				writeError(w, http.StatusBadRequest, "InvalidToken", "Invalid token type")
				return
			case !s.now().Before(t.expires) || t.used:
				s.mu.Unlock()
				writeError(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
				return
			}
		}
		s.requests++
		win, ok := s.windows.Take(nsid, s.now())
		s.mu.Unlock()
		w.Header().Set("ratelimit-limit", strconv.Itoa(win.Limit))
		w.Header().Set("ratelimit-reset", strconv.FormatInt(win.Reset.Unix()+1, 10))
		w.Header().Set("ratelimit-policy", strconv.Itoa(win.Limit)+";w="+strconv.Itoa(int(win.Per.Seconds())))
		w.Header().Set("ratelimit-remaining", strconv.Itoa(win.Remaining))
		if !ok {
			writeError(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
			return
		}
		s.faults.Run(w, r, nsid, h)
	})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func (s *Server) issueLocked() map[string]any {
	access, refresh := hex.EncodeToString(randomBytes(16)), hex.EncodeToString(randomBytes(16))
	s.tokens[access] = &token{expires: s.now().Add(s.accessTTL)}
	s.tokens[refresh] = &token{refresh: true, expires: s.now().Add(60 * 24 * time.Hour)}
	return map[string]any{"accessJwt": access, "refreshJwt": refresh, "handle": Handle, "did": DID, "active": true}
}

// cid is a CIDv1-looking hash of a value (not a real DAG-CBOR CID).
func cid(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return "bafyrei" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:52]
}

func writeError(w http.ResponseWriter, status int, name, message string) {
	fault.WriteJSON(w, status, map[string]string{"error": name, "message": message})
}
