// Package fbfake is a fake Facebook Graph API server for a Page, for tests
// across the repository. It checks what Graph checks (the Page access token,
// appsecret_proof, the API version, required fields, duplicates) and answers
// with Graph's shapes, error codes and usage headers. Faults are injected per
// request.
//
//	srv := fbfake.NewServer(t, "1122334455", "page-token", "app-secret")
//	c, _ := facebook.NewClient(facebook.Options{GraphBaseURL: srv.URL, ...})
//	srv.FailNext(500, 2, 0, "Service temporarily unavailable")
package fbfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots/internal/fault"
)

// Graph error codes the fake answers with.
const (
	CodeInvalidParameter = 100
	CodeRateLimit        = 4
	CodeBlocked          = 368
	CodeDuplicate        = 506
	CodeAccessToken      = 190
	CodeAliasesMissing   = 803
)

// Post is one post on the fake Page.
type Post struct {
	ID          string // "<page>_<n>"
	PhotoID     string // the photo object's id, for photo posts
	Message     string // message, or the photo's caption
	Link        string
	ImageURL    string
	CreatedTime time.Time
	Shares      int64
	Reactions   int64
	Comments    int64
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	URL string

	pageID    string
	pageToken string
	appSecret string
	faults    fault.Injector

	mu       sync.Mutex
	now      func() time.Time
	posts    []Post // oldest first
	nextID   int64
	revoked  bool
	headers  map[string]string // usage headers sent on every response
	requests int
}

var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// NewServer starts a fake Graph server for one Page and stops it when the test
// ends. When appSecret is not empty every request must carry appsecret_proof.
func NewServer(t testing.TB, pageID, pageToken, appSecret string) *Server {
	t.Helper()
	s := &Server{
		pageID:    pageID,
		pageToken: pageToken,
		appSecret: appSecret,
		now:       time.Now,
		nextID:    100000000000000,
		headers:   map[string]string{},
	}
	s.URL = s.faults.Start(t, http.HandlerFunc(s.serve))
	return s
}

// SetClock sets the clock that stamps posts.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Posts returns the Page's posts, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// AddPost puts a post on the Page as if published earlier (for reconcile
// tests) and returns its id. A zero createdAt means now.
func (s *Server) AddPost(message string, createdAt time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if createdAt.IsZero() {
		createdAt = s.now()
	}
	return s.storeLocked(Post{Message: message, CreatedTime: createdAt})
}

// SetEngagement sets a post's counters; it reports whether the post exists.
func (s *Server) SetEngagement(id string, shares, reactions, comments int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.posts {
		if s.posts[i].ID == id {
			s.posts[i].Shares, s.posts[i].Reactions, s.posts[i].Comments = shares, reactions, comments
			return true
		}
	}
	return false
}

// FailNext makes the next request answer status without doing anything. With
// a graphCode the body is a Graph error; without, the body is message as is
// (an HTML error page, or nothing), as proxies in front of Graph answer.
// Faults queue up in order.
func (s *Server) FailNext(status, graphCode, subcode int, message string) {
	f := fault.Fault{Kind: fault.Fail, Status: status, Body: message}
	switch {
	case graphCode != 0:
		f.Body = errorBody(graphCode, subcode, message)
		f.Header = map[string]string{"Content-Type": "application/json; charset=UTF-8"}
	case message != "":
		f.Header = map[string]string{"Content-Type": "text/html; charset=utf-8"}
	}
	s.faults.Add(f)
}

// HangNext makes the next request be handled (a post is created) and then
// answered only after d, or never if the client gives up first.
func (s *Server) HangNext(d time.Duration) {
	s.faults.Add(fault.Fault{Kind: fault.Hang, Delay: d})
}

// DropNext makes the next request be handled (a post is created) and then
// closes the connection without answering.
func (s *Server) DropNext() {
	s.faults.Add(fault.Fault{Kind: fault.Drop})
}

// SetUsage sets X-App-Usage on every later response: call_count and
// total_time at appPercent, total_cputime at half of it. Zero removes it.
func (s *Server) SetUsage(appPercent int) {
	if appPercent == 0 {
		s.SetUsageHeader("X-App-Usage", "")
		return
	}
	s.SetUsageHeader("X-App-Usage", fmt.Sprintf(`{"call_count":%d,"total_cputime":%d,"total_time":%d}`, appPercent, appPercent/2, appPercent))
}

// SetUsageHeader sets any header (X-Page-Usage, X-Business-Use-Case-Usage…)
// on every later response; an empty value removes it.
func (s *Server) SetUsageHeader(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == "" {
		delete(s.headers, name)
		return
	}
	s.headers[name] = value
}

// RevokeToken makes every request fail with 190 (subcode 463, expired) until
// it is called with false.
func (s *Server) RevokeToken(revoked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = revoked
}

// Requests counts the requests that passed authentication.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// AppsecretProof is what Graph expects: hex HMAC-SHA256 of the access token
// keyed with the app secret.
func AppsecretProof(appSecret, accessToken string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(accessToken))
	return hex.EncodeToString(mac.Sum(nil))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) Malformed request body")
		return
	}
	version, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !versionPattern.MatchString(version) {
		writeError(w, http.StatusBadRequest, 2635, 0, "(#2635) You are calling a deprecated or unknown version of the Graph API: "+version)
		return
	}

	s.mu.Lock()
	for k, v := range s.headers {
		w.Header().Set(k, v)
	}
	if status, code, sub, msg := s.authenticateLocked(r); code != 0 {
		s.mu.Unlock()
		writeError(w, status, code, sub, msg)
		return
	}
	s.requests++
	s.mu.Unlock()
	s.faults.Run(w, r, "", func(w http.ResponseWriter, r *http.Request) { s.route(w, r, rest) })
}

// authenticateLocked checks the token and appsecret_proof as Graph does.
func (s *Server) authenticateLocked(r *http.Request) (status, code, subcode int, msg string) {
	token := r.Form.Get("access_token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && token == "" {
		token = bearer
	}
	switch {
	case token == "":
		return http.StatusBadRequest, CodeAccessToken, 467, "An active access token must be used to query information about the current user."
	case token != s.pageToken:
		return http.StatusBadRequest, CodeAccessToken, 467, "Invalid OAuth access token - Cannot parse access token"
	case s.revoked:
		return http.StatusBadRequest, CodeAccessToken, 463, "Error validating access token: Session has expired."
	}
	if s.appSecret != "" {
		proof := r.Form.Get("appsecret_proof")
		if proof == "" {
			return http.StatusBadRequest, CodeInvalidParameter, 0, "API calls from the server require an appsecret_proof argument"
		}
		if !hmac.Equal([]byte(proof), []byte(AppsecretProof(s.appSecret, token))) {
			return http.StatusBadRequest, CodeInvalidParameter, 0, "Invalid appsecret_proof provided in the API argument"
		}
	}
	return 0, 0, 0, ""
}

// route dispatches on the path after the version. huandu/facebook (like the
// JavaScript SDK) sends DELETE as POST with method=DELETE.
func (s *Server) route(w http.ResponseWriter, r *http.Request, path string) {
	method := r.Method
	if m := r.Form.Get("method"); method == http.MethodPost && m != "" {
		method = strings.ToUpper(m)
	}
	node, edge, _ := strings.Cut(path, "/")
	switch {
	case node == "" && method == http.MethodGet:
		s.getByIDs(w, r)
	case edge == "feed" && method == http.MethodPost:
		s.publishFeed(w, r, node)
	case edge == "photos" && method == http.MethodPost:
		s.publishPhoto(w, r, node)
	case edge == "posts" && method == http.MethodGet:
		s.listPosts(w, r, node)
	case edge == "" && method == http.MethodGet:
		s.getPost(w, r, node)
	case edge == "" && method == http.MethodDelete:
		s.deletePost(w, node)
	default:
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 33,
			fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", strings.ToLower(method), node))
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(b)
}

// writeError answers a Graph error body.
func writeError(w http.ResponseWriter, status, code, subcode int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write([]byte(errorBody(code, subcode, message)))
}

func errorBody(code, subcode int, message string) string {
	typ := "OAuthException"
	if code == CodeInvalidParameter {
		typ = "GraphMethodException"
	}
	e := map[string]any{"message": message, "type": typ, "code": code, "fbtrace_id": "AbCdEfGh" + strconv.Itoa(code)}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}
