package facebook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
)

const (
	testPage      = "1122334455"
	testToken     = "page-token"
	testAppSecret = "app-secret"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)} }

func newTestClient(t *testing.T, baseURL string, edit ...func(*Options)) *Client {
	t.Helper()
	return nettest.New(t, NewClient, Options{
		GraphBaseURL:    baseURL,
		PageID:          testPage,
		PageAccessToken: testToken,
		AppSecret:       testAppSecret,
		HTTPClient:      &http.Client{Timeout: 2 * time.Second},
		Logger:          slog.New(slog.DiscardHandler),
	}, edit...)
}

func TestNewClientOptions(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no page", func(o *Options) { o.PageID = "" }, "PageID"},
		{"page with slash", func(o *Options) { o.PageID = "1/feed" }, "PageID"},
		{"no token", func(o *Options) { o.PageAccessToken = "" }, "PageAccessToken"},
		{"bad version", func(o *Options) { o.APIVersion = "21" }, "APIVersion"},
		{"bad URL", func(o *Options) { o.GraphBaseURL = "graph.facebook.com" }, "GraphBaseURL"},
	}
	for _, tt := range tests {
		opts := Options{PageID: testPage, PageAccessToken: testToken}
		tt.edit(&opts)
		if _, err := NewClient(opts); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "facebook: ") {
			t.Errorf("%s: err = %v, want one naming %s", tt.name, err, tt.want)
		}
	}
	if _, err := NewClient(Options{PageID: testPage, PageAccessToken: testToken}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestAppsecretProof(t *testing.T) {
	// Computed independently: HMAC-SHA256("app-secret", "page-token").
	const want = "d8b448b9cc7d64c51098271805b3cc20b5b715e52bd587eb71b610259587c856"
	if got := fbfake.AppsecretProof(testAppSecret, testToken); got != want {
		t.Fatalf("fake proof = %s, want %s", got, want)
	}
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	tests := []struct {
		name      string
		appSecret string
		ok        bool
		msg       string
	}{
		{"right secret", testAppSecret, true, ""},
		{"wrong secret", "other", false, "Invalid appsecret_proof"},
		{"no secret", "", false, "require an appsecret_proof"},
	}
	for _, tt := range tests {
		c := newTestClient(t, srv.URL, func(o *Options) { o.AppSecret = tt.appSecret })
		_, err := c.PublishFeed(context.Background(), "proof "+tt.name, "")
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if be := nettest.AsError(t, err); be.Kind != bots.KindInvalid || be.Code != 100 || !strings.Contains(be.Message, tt.msg) {
			t.Errorf("%s: %v (kind %s code %d)", tt.name, err, be.Kind, be.Code)
		}
	}
	// Without an app secret on either side no proof is needed.
	open := fbfake.NewServer(t, testPage, testToken, "")
	if _, err := newTestClient(t, open.URL, func(o *Options) { o.AppSecret = "" }).PublishFeed(context.Background(), "no proof", ""); err != nil {
		t.Errorf("no secret anywhere: %v", err)
	}
}

func TestPublishFeedAndDelete(t *testing.T) {
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	c := newTestClient(t, srv.URL)
	ctx := context.Background()
	id, err := c.PublishFeed(ctx, "Funded! 🎉 & more", "https://fanfare.example/c/1?utm_source=facebook")
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].ID != id || !strings.HasPrefix(id, testPage+"_") ||
		posts[0].Message != "Funded! 🎉 & more" || posts[0].Link != "https://fanfare.example/c/1?utm_source=facebook" {
		t.Fatalf("id %s, fake holds %+v", id, posts)
	}
	if _, err := c.PublishFeed(ctx, "", "https://fanfare.example/c/2"); err != nil {
		t.Errorf("link only: %v", err)
	}
	if err := c.DeletePost(ctx, id); err != nil {
		t.Fatalf("DeletePost: %v", err)
	}
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("after delete the fake holds %d posts", n)
	}
	if err := c.DeletePost(ctx, id); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestPublishErrors(t *testing.T) {
	clock := newClock()
	tests := []struct {
		name       string
		setup      func(*fbfake.Server)
		edit       func(*Options)
		message    string
		link       string
		kind       bots.ErrorKind
		status     int
		code       int
		msg        string
		retryIn    time.Duration
		postExists bool
		noRequest  bool
	}{
		{name: "wrong token", edit: func(o *Options) { o.PageAccessToken = "user-token" },
			kind: bots.KindAuth, status: 400, code: 190, msg: "subcode 467"},
		{name: "revoked", setup: func(s *fbfake.Server) { s.RevokeToken(true) },
			kind: bots.KindAuth, status: 400, code: 190, msg: "Session has expired. (subcode 463)"},
		{name: "permission", setup: func(s *fbfake.Server) { s.FailNext(403, 200, 0, "(#200) Requires pages_manage_posts permission") },
			kind: bots.KindAuth, status: 403, code: 200, msg: "pages_manage_posts"},
		{name: "app rate limit 4", setup: func(s *fbfake.Server) { s.FailNext(400, 4, 0, "(#4) Application request limit reached") },
			kind: bots.KindRateLimited, status: 400, code: 4, msg: "Application request limit", retryIn: 15 * time.Minute},
		{name: "user rate limit 17", setup: func(s *fbfake.Server) { s.FailNext(400, 17, 0, "(#17) User request limit reached") },
			kind: bots.KindRateLimited, status: 400, code: 17, retryIn: 15 * time.Minute},
		{name: "page rate limit 32", setup: func(s *fbfake.Server) {
			s.SetUsageHeader("X-Page-Usage", `{"call_count":100,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":42}`)
			s.FailNext(400, 32, 0, "(#32) Page request limit reached")
		},
			kind: bots.KindRateLimited, status: 400, code: 32, retryIn: 42 * time.Minute},
		{name: "rate limit 613", setup: func(s *fbfake.Server) {
			s.FailNext(400, 613, 0, "(#613) Calls to this api have exceeded the rate limit.")
		},
			kind: bots.KindRateLimited, status: 400, code: 613, retryIn: 15 * time.Minute},
		{name: "duplicate", setup: func(s *fbfake.Server) { s.AddPost("same words", time.Time{}) }, message: "same words",
			kind: bots.KindDuplicate, status: 400, code: 506, msg: "Duplicate status message", postExists: true},
		{name: "blocked", setup: func(s *fbfake.Server) {
			s.FailNext(400, 368, 1390008, "It looks like you were misusing this feature by going too fast.")
		},
			kind: bots.KindBlocked, status: 400, code: 368, msg: "going too fast"},
		{name: "invalid parameter", link: "not a url", kind: bots.KindInvalid, msg: "not an http(s) URL", noRequest: true},
		{name: "empty", message: " ", kind: bots.KindInvalid, msg: "both empty", noRequest: true},
		{name: "Graph 100", setup: func(s *fbfake.Server) { s.FailNext(400, 100, 0, "(#100) Invalid parameter") },
			kind: bots.KindInvalid, status: 400, code: 100, msg: "Invalid parameter"},
		{name: "transient 1", setup: func(s *fbfake.Server) { s.FailNext(500, 1, 0, "An unknown error has occurred.") },
			kind: bots.KindAmbiguous, status: 500, code: 1, msg: "unknown error"},
		{name: "transient 2", setup: func(s *fbfake.Server) { s.FailNext(503, 2, 0, "Service temporarily unavailable") },
			kind: bots.KindAmbiguous, status: 503, code: 2},
		{name: "5xx with an unknown code", setup: func(s *fbfake.Server) { s.FailNext(500, 99999, 0, "Something new went wrong") },
			kind: bots.KindAmbiguous, status: 500, code: 99999, msg: "Something new went wrong"},
		{name: "HTML 502", setup: func(s *fbfake.Server) { s.FailNext(502, 0, 0, "<html><body><h1>502 Bad Gateway</h1></body></html>") },
			kind: bots.KindAmbiguous, status: 502, msg: "not a Graph response: <html><body><h1>502 Bad Gateway"},
		{name: "empty 500", setup: func(s *fbfake.Server) { s.FailNext(500, 0, 0, "") },
			kind: bots.KindAmbiguous, status: 500, msg: "empty body"},
		{name: "empty 200", setup: func(s *fbfake.Server) { s.FailNext(200, 0, 0, "") },
			kind: bots.KindAmbiguous, status: 200, msg: "empty body"},
		{name: "timeout", setup: func(s *fbfake.Server) { s.HangNext(5 * time.Second) },
			edit: func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} },
			kind: bots.KindAmbiguous, postExists: true},
		{name: "dropped", setup: func(s *fbfake.Server) { s.DropNext() }, kind: bots.KindAmbiguous, postExists: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
			if tt.setup != nil {
				tt.setup(srv)
			}
			edits := []func(*Options){func(o *Options) { o.Now = clock.now }}
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			c := newTestClient(t, srv.URL, edits...)
			message := tt.message
			if message == "" {
				message = "post for " + tt.name
			}
			before := srv.Requests()
			_, err := c.PublishFeed(context.Background(), message, tt.link)
			if err == nil {
				t.Fatal("PublishFeed succeeded")
			}
			be := nettest.AsError(t, err)
			if be.Kind != tt.kind || be.Status != tt.status || be.Code != tt.code {
				t.Errorf("got kind %s status %d code %d, want %s %d %d (%v)", be.Kind, be.Status, be.Code, tt.kind, tt.status, tt.code, err)
			}
			if !strings.Contains(be.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", be.Message, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "facebook: ") {
				t.Errorf("error %q is not prefixed with the package name", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
			if tt.retryIn != 0 && !be.RetryAt.Equal(clock.now().Add(tt.retryIn)) {
				t.Errorf("RetryAt = %v, want now + %v", be.RetryAt, tt.retryIn)
			}
			if tt.noRequest && srv.Requests() != before {
				t.Error("a request was sent")
			}
			exists := false
			for _, p := range srv.Posts() {
				exists = exists || p.Message == message
			}
			if exists != tt.postExists {
				t.Errorf("post exists on the fake = %v, want %v", exists, tt.postExists)
			}
		})
	}
}

func TestPublishNotSent(t *testing.T) {
	c := newTestClient(t, nettest.ClosedURL(t))
	_, err := c.PublishFeed(context.Background(), "hello", "")
	if be := nettest.AsError(t, err); be.Kind != bots.KindNotSent {
		t.Fatalf("kind = %s, want not_sent (%v)", be.Kind, err)
	}
	// A GET carries the token in its URL: it must not reach the message.
	_, err = c.RecentPosts(context.Background(), 5)
	if be := nettest.AsError(t, err); be.Kind != bots.KindNotSent || strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "appsecret_proof") {
		t.Errorf("GET: %v", err)
	}
}

func TestUsageHeaders(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		value   string
		blocked bool
		retryIn time.Duration
	}{
		{"app usage under threshold", "X-App-Usage", `{"call_count":90,"total_cputime":10,"total_time":50}`, false, 0},
		{"app usage above", "X-App-Usage", `{"call_count":20,"total_cputime":10,"total_time":91}`, true, 15 * time.Minute},
		{"page usage with estimate", "X-Page-Usage", `{"call_count":95,"total_cputime":10,"total_time":10,"estimated_time_to_regain_access":30}`, true, 30 * time.Minute},
		{"business use case", "X-Business-Use-Case-Usage",
			`{"112233":[{"type":"pages","call_count":12,"total_cputime":96,"total_time":40,"estimated_time_to_regain_access":7}]}`, true, 7 * time.Minute},
		{"business use case under", "X-Business-Use-Case-Usage",
			`{"112233":[{"type":"pages","call_count":12,"total_cputime":50,"total_time":40,"estimated_time_to_regain_access":0}]}`, false, 0},
		{"malformed", "X-App-Usage", `{"call_count":"lots"`, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
			srv.SetUsageHeader(tt.header, tt.value)
			c := newTestClient(t, srv.URL, func(o *Options) { o.Now = clock.now })
			ctx := context.Background()
			if _, err := c.PublishFeed(ctx, "first", ""); err != nil {
				t.Fatalf("first post: %v", err)
			}
			before := srv.Requests()
			_, err := c.PublishFeed(ctx, "second", "")
			if !tt.blocked {
				if err != nil {
					t.Fatalf("second post: %v", err)
				}
				return
			}
			be := nettest.AsError(t, err)
			if be.Kind != bots.KindRateLimited || !be.RetryAt.Equal(clock.now().Add(tt.retryIn)) {
				t.Errorf("second post: %v, RetryAt %v, want rate_limited at now + %v", err, be.RetryAt, tt.retryIn)
			}
			if srv.Requests() != before || !strings.Contains(be.Message, tt.header) {
				t.Errorf("refusal sent a request or does not name the header: %v", err)
			}
			// Reads still go; once usage falls, posts go again.
			switch tt.header {
			case "X-App-Usage":
				srv.SetUsage(40)
			case "X-Page-Usage":
				srv.SetUsageHeader(tt.header, `{"call_count":1,"total_cputime":1,"total_time":1}`)
			default:
				srv.SetUsageHeader(tt.header, `{"112233":[{"type":"pages","call_count":1,"total_cputime":1,"total_time":1}]}`)
			}
			if _, err := c.RecentPosts(ctx, 5); err != nil {
				t.Fatalf("read while blocked: %v", err)
			}
			if _, err := c.PublishFeed(ctx, "third", ""); err != nil {
				t.Errorf("after usage fell: %v", err)
			}
		})
	}
}

func TestRateLimitErrorBlocksPosts(t *testing.T) {
	clock := newClock()
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	c := newTestClient(t, srv.URL, func(o *Options) { o.Now = clock.now })
	ctx := context.Background()
	srv.FailNext(400, 4, 0, "(#4) Application request limit reached")
	if _, err := c.PublishFeed(ctx, "one", ""); bots.ClassifyError(err) != bots.KindRateLimited {
		t.Fatal(err)
	}
	before := srv.Requests()
	if _, err := c.PublishFeed(ctx, "two", ""); bots.ClassifyError(err) != bots.KindRateLimited || srv.Requests() != before {
		t.Errorf("second post within the wait: %v (sent %v)", err, srv.Requests() != before)
	}
	clock.add(15 * time.Minute)
	if _, err := c.PublishFeed(ctx, "three", ""); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}

func TestEngagementClient(t *testing.T) {
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	c := newTestClient(t, srv.URL)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		id, err := c.PublishFeed(ctx, fmt.Sprintf("post %d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		srv.SetEngagement(id, int64(i), int64(10*i), int64(100*i))
	}
	before := srv.Requests()
	got, err := c.Engagement(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[ids[2]] != (PostEngagement{Shares: 2, Reactions: 20, Comments: 200}) || got[ids[0]] != (PostEngagement{}) {
		t.Errorf("engagement = %+v", got)
	}
	if n := srv.Requests() - before; n != 1 {
		t.Errorf("%d requests for 3 known ids, want 1 (?ids= form)", n)
	}
	if err := c.DeletePost(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	got, err = c.Engagement(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[ids[1]]; ok || len(got) != 2 || got[ids[2]].Comments != 200 {
		t.Errorf("with a deleted id: %+v", got)
	}
	if _, err := c.Engagement(ctx, []string{"12/34"}); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("bad id: %v", err)
	}
}
