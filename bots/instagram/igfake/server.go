// Package igfake is a fake Graph API for one Instagram professional account's
// content publishing, for tests across the repository. It checks what Graph
// checks (the token, appsecret_proof, the API version), fetches image_url
// like Meta does and accepts only a JPEG, enforces the caption rules (2,200
// characters, 30 hashtags, 20 mentions), makes containers that take a few
// status reads to be FINISHED, publishes a container at most once, and
// enforces the 50-posts-in-24-hours publishing limit with Instagram's codes.
// Faults are injected per request or per route ("POST media",
// "POST media_publish", "GET container").
//
// The code for publishing a container twice (9007, subcode 2207006, "The
// media has already been published") is the fake's assumption: Meta does not
// document the answer, and the publisher never relies on it.
package igfake

import (
	"crypto/hmac"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
	"github.com/fanfarehq/fanfare/bots/internal/fault"
	"github.com/fanfarehq/fanfare/bots/media"
)

// The account the fake speaks for.
const (
	UserID   = "17841400000000001"
	Username = "fanfare_ig"
)

// Container is a media container.
type Container struct {
	ID        string
	ImageURL  string
	Caption   string
	Alt       string
	Status    string // IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED
	polls     int
	MediaID   string
	CreatedAt time.Time
}

// Media is a published post.
type Media struct {
	ID        string
	Caption   string
	Alt       string
	Timestamp time.Time
	Likes     int64
	Comments  int64
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	URL string

	token, appSecret string
	faults           fault.Injector

	mu         sync.Mutex
	now        func() time.Time
	containers map[string]*Container
	media      []Media // oldest first
	nextID     int64
	polls      int // status reads before a new container is FINISHED
	quota      int
	revoked    bool
	requests   int
}

var versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// NewServer starts a fake for UserID that accepts token (and, when appSecret
// is set, requires appsecret_proof); it stops when the test ends.
func NewServer(t testing.TB, token, appSecret string) *Server {
	t.Helper()
	s := &Server{token: token, appSecret: appSecret, now: time.Now,
		containers: map[string]*Container{}, nextID: 18000000000000000, polls: 1, quota: 50}
	s.URL = s.faults.Start(t, http.HandlerFunc(s.serve))
	return s
}

// SetClock sets the fake's clock.
func (s *Server) SetClock(now func() time.Time) { s.mu.Lock(); defer s.mu.Unlock(); s.now = now }

// SetProcessing sets how many status reads a new container stays IN_PROGRESS.
func (s *Server) SetProcessing(polls int) { s.mu.Lock(); defer s.mu.Unlock(); s.polls = polls }

// SetQuota sets the publishing limit per 24 hours.
func (s *Server) SetQuota(n int) { s.mu.Lock(); defer s.mu.Unlock(); s.quota = n }

// RevokeToken makes every request fail with 190 until called with false.
func (s *Server) RevokeToken(v bool) { s.mu.Lock(); defer s.mu.Unlock(); s.revoked = v }

// Requests counts authenticated requests.
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// Media returns the published posts, oldest first.
func (s *Server) Media() []Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Media(nil), s.media...)
}

// Containers counts the containers made.
func (s *Server) Containers() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.containers) }

// AddMedia stores a post published earlier (zero at: now) and returns its id.
func (s *Server) AddMedia(caption string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.IsZero() {
		at = s.now()
	}
	s.nextID++
	id := strconv.FormatInt(s.nextID, 10)
	s.media = append(s.media, Media{ID: id, Caption: caption, Timestamp: at.UTC().Truncate(time.Second)})
	return id
}

// SetCounts sets a post's likes and comments; it reports whether it exists.
func (s *Server) SetCounts(id string, likes, comments int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.media {
		if s.media[i].ID == id {
			s.media[i].Likes, s.media[i].Comments = likes, comments
			return true
		}
	}
	return false
}

// FailNext makes the next request to route ("" for any) answer status with
// a Graph error of code and subcode, doing nothing.
func (s *Server) FailNext(route string, status, code, subcode int, message string) {
	s.faults.Add(fault.Fault{Kind: fault.Fail, Route: route, Status: status, Body: errorBody(code, subcode, message)})
}

// FailAfter makes the next request to route be done and then answered with
// a transient Graph error (code 2) and status.
func (s *Server) FailAfter(route string, status int) {
	s.faults.Add(fault.Fault{Kind: fault.FailAfter, Route: route, Status: status, Body: errorBody(2, 0, "An unexpected error has occurred. Please retry your request later.")})
}

// HangNext makes the next request to route be done and answered after d.
func (s *Server) HangNext(route string, d time.Duration) {
	s.faults.Add(fault.Fault{Kind: fault.Hang, Route: route, Delay: d})
}

// DropNext makes the next request to route be done and the connection closed.
func (s *Server) DropNext(route string) { s.faults.Add(fault.Fault{Kind: fault.Drop, Route: route}) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, 400, 100, 0, "(#100) Malformed request body")
		return
	}
	version, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !versionPattern.MatchString(version) {
		writeError(w, 400, 2635, 0, "(#2635) You are calling a deprecated or unknown version of the Graph API: "+version)
		return
	}
	tok := r.Form.Get("access_token")
	s.mu.Lock()
	switch {
	case tok != s.token:
		s.mu.Unlock()
		writeError(w, 400, 190, 467, "Invalid OAuth access token - Cannot parse access token")
		return
	case s.revoked:
		s.mu.Unlock()
		writeError(w, 400, 190, 463, "Error validating access token: Session has expired.")
		return
	case s.appSecret != "" && !hmac.Equal([]byte(r.Form.Get("appsecret_proof")), []byte(fbfake.AppsecretProof(s.appSecret, tok))):
		s.mu.Unlock()
		writeError(w, 400, 100, 0, "Invalid appsecret_proof provided in the API argument")
		return
	}
	s.requests++
	s.mu.Unlock()
	method := r.Method
	node, edge, _ := strings.Cut(rest, "/")
	var route string
	var h http.HandlerFunc
	switch {
	case node == UserID && edge == "media" && method == http.MethodPost:
		route, h = "POST media", s.createContainer
	case node == UserID && edge == "media_publish" && method == http.MethodPost:
		route, h = "POST media_publish", s.publish
	case node == UserID && edge == "content_publishing_limit" && method == http.MethodGet:
		route, h = "GET content_publishing_limit", s.limit
	case node == UserID && edge == "media" && method == http.MethodGet:
		route, h = "GET media", s.listMedia
	case node == UserID && edge == "" && method == http.MethodGet:
		route, h = "GET user", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"id": UserID, "username": Username})
		}
	case edge == "" && method == http.MethodGet:
		route, h = "GET container", s.getNode
	default:
		writeError(w, 400, 100, 33, "Unsupported "+strings.ToLower(method)+" request. Object with ID '"+node+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
		return
	}
	s.faults.Run(w, r, route, h)
}

var (
	hashtag = regexp.MustCompile(`#[\p{L}\p{N}_]+`)
	mention = regexp.MustCompile(`@[A-Za-z0-9_.]+`)
)

// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
func (s *Server) createContainer(w http.ResponseWriter, r *http.Request) {
	imageURL, caption := r.Form.Get("image_url"), r.Form.Get("caption")
	switch {
	case imageURL == "":
		writeError(w, 400, 100, 0, "(#100) The parameter image_url is required")
		return
	case len([]rune(caption)) > 2200:
		writeError(w, 400, 100, 2207010, "(#100) The caption is too long")
		return
	case len(hashtag.FindAllString(caption, -1)) > 30:
		writeError(w, 400, 100, 2207010, "(#100) The caption has more than 30 hashtags")
		return
	case len(mention.FindAllString(caption, -1)) > 20:
		writeError(w, 400, 100, 2207010, "(#100) The caption has more than 20 mentions")
		return
	}
	// Meta fetches the image when the container is made.
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(imageURL)
	if err != nil || resp.StatusCode != 200 {
		if resp != nil {
			resp.Body.Close()
		}
		writeError(w, 400, 9004, 2207052, "(#9004) The media could not be fetched from this URI: "+imageURL)
		return
	}
	data := make([]byte, 0, 1<<16)
	buf := make([]byte, 1<<15)
	for len(data) <= 8<<20 {
		n, err := resp.Body.Read(buf)
		data = append(data, buf[:n]...)
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	if len(data) > 8<<20 {
		writeError(w, 400, 36000, 2207004, "The image size is too large.")
		return
	}
	if im, err := media.Check(data); err != nil || im.Type != media.JPEG {
		writeError(w, 400, 36001, 2207005, "The image format is not supported. Only JPEG is.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	ct := &Container{ID: strconv.FormatInt(s.nextID, 10), ImageURL: imageURL, Caption: caption, Alt: r.Form.Get("alt_text"),
		Status: "IN_PROGRESS", polls: s.polls, CreatedAt: s.now()}
	if ct.polls == 0 {
		ct.Status = "FINISHED"
	}
	s.containers[ct.ID] = ct
	writeJSON(w, map[string]any{"id": ct.ID})
}

// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish
func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ct := s.containers[r.Form.Get("creation_id")]
	switch {
	case ct == nil:
		writeError(w, 400, 100, 0, "(#100) Param creation_id must be a valid container id")
		return
	case ct.Status == "PUBLISHED":
		writeError(w, 400, 9007, 2207006, "The media has already been published")
		return
	case ct.Status != "FINISHED":
		writeError(w, 400, 9007, 2207027, "Media ID is not available")
		return
	}
	used := 0
	for _, m := range s.media {
		if s.now().Sub(m.Timestamp) < 24*time.Hour {
			used++
		}
	}
	if used >= s.quota {
		writeError(w, 400, 9, 2207042, "You reached maximum number of posts that is allowed to be published by Content Publishing API.")
		return
	}
	s.nextID++
	m := Media{ID: strconv.FormatInt(s.nextID, 10), Caption: ct.Caption, Alt: ct.Alt, Timestamp: s.now().UTC().Truncate(time.Second)}
	s.media = append(s.media, m)
	ct.Status, ct.MediaID = "PUBLISHED", m.ID
	writeJSON(w, map[string]any{"id": m.ID})
}

// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
func (s *Server) limit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	used := 0
	for _, m := range s.media {
		if s.now().Sub(m.Timestamp) < 24*time.Hour {
			used++
		}
	}
	writeJSON(w, map[string]any{"data": []any{map[string]any{"quota_usage": used, "config": map[string]any{"quota_total": s.quota, "quota_duration": 86400}}}})
}

func (s *Server) mediaJSON(m Media) map[string]any {
	return map[string]any{"id": m.ID, "caption": m.Caption, "timestamp": m.Timestamp.Format("2006-01-02T15:04:05-0700"),
		"permalink": "https://www.instagram.com/p/" + m.ID + "/", "like_count": m.Likes, "comments_count": m.Comments}
}

// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reading
func (s *Server) listMedia(w http.ResponseWriter, r *http.Request) {
	limit := 25
	if v := r.Form.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			limit = min(n, 100)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []any{}
	for i := len(s.media) - 1; i >= 0 && len(data) < limit; i-- {
		data = append(data, s.mediaJSON(s.media[i]))
	}
	writeJSON(w, map[string]any{"data": data})
}

// getNode answers a container (status_code) or a media object.
func (s *Server) getNode(w http.ResponseWriter, r *http.Request) {
	id := strings.Trim(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/'):], "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if ct := s.containers[id]; ct != nil {
		if ct.Status == "IN_PROGRESS" {
			if ct.polls--; ct.polls <= 0 {
				ct.Status = "FINISHED"
			}
			writeJSON(w, map[string]any{"id": id, "status_code": "IN_PROGRESS", "status": "In Progress"})
			return
		}
		if ct.Status != "PUBLISHED" && s.now().Sub(ct.CreatedAt) > 24*time.Hour {
			ct.Status = "EXPIRED"
		}
		writeJSON(w, map[string]any{"id": id, "status_code": ct.Status, "status": ct.Status})
		return
	}
	for _, m := range s.media {
		if m.ID == id {
			writeJSON(w, s.mediaJSON(m))
			return
		}
	}
	writeError(w, 400, 100, 33, "Unsupported get request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
}

func errorBody(code, subcode int, message string) string {
	e := map[string]any{"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AigFake" + strconv.Itoa(code)}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

func writeError(w http.ResponseWriter, status, code, subcode int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write([]byte(errorBody(code, subcode, message)))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(b)
}
