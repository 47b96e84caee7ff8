package x

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
	"github.com/fanfarehq/fanfare/bots/x/xfake"
)

var testCreds = xfake.Credentials{
	ConsumerKey:       "xvz1evFS4wEEPTGEFPHBog",
	ConsumerSecret:    "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	AccessToken:       "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
	AccessTokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
}

func newTestClient(t *testing.T, baseURL string, edit ...func(*Options)) *Client {
	t.Helper()
	return nettest.New(t, NewClient, Options{
		BaseURL:           baseURL,
		ConsumerKey:       testCreds.ConsumerKey,
		ConsumerSecret:    testCreds.ConsumerSecret,
		AccessToken:       testCreds.AccessToken,
		AccessTokenSecret: testCreds.AccessTokenSecret,
		HTTPClient:        &http.Client{Timeout: 2 * time.Second},
		Logger:            slog.New(slog.DiscardHandler),
	}, edit...)
}

func TestNewClientRequiresCredentials(t *testing.T) {
	for _, name := range []string{"ConsumerKey", "ConsumerSecret", "AccessToken", "AccessTokenSecret"} {
		opts := Options{ConsumerKey: "a", ConsumerSecret: "b", AccessToken: "c", AccessTokenSecret: "d"}
		switch name {
		case "ConsumerKey":
			opts.ConsumerKey = ""
		case "ConsumerSecret":
			opts.ConsumerSecret = ""
		case "AccessToken":
			opts.AccessToken = ""
		case "AccessTokenSecret":
			opts.AccessTokenSecret = ""
		}
		if _, err := NewClient(opts); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: err = %v, want one naming it", name, err)
		}
	}
	if _, err := NewClient(Options{BaseURL: "ftp://x", ConsumerKey: "a", ConsumerSecret: "b", AccessToken: "c", AccessTokenSecret: "d"}); err == nil {
		t.Error("an ftp BaseURL was accepted")
	}
}

func TestCreatePostSignedAndStored(t *testing.T) {
	srv := xfake.NewServer(t, testCreds)
	c := newTestClient(t, srv.URL)
	tw, err := c.CreatePost(context.Background(), "Hello Ladies + Gentlemen, a signed OAuth request! ~ & é")
	if err != nil {
		t.Fatalf("CreatePost: %v (fake: %s)", err, srv.LastAuthFailure())
	}
	if tw.ID == "" {
		t.Fatal("no id")
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].ID != tw.ID || posts[0].Text != "Hello Ladies + Gentlemen, a signed OAuth request! ~ & é" {
		t.Fatalf("fake holds %+v", posts)
	}
	if _, err := c.CreatePost(context.Background(), "a reply", InReplyTo(tw.ID), Quote(tw.ID)); err != nil {
		t.Fatal(err)
	}
	if p := srv.Posts()[1]; p.ReplyTo != tw.ID || p.QuoteOf != tw.ID {
		t.Errorf("reply/quote not sent: %+v", p)
	}
	if err := c.DeletePost(context.Background(), tw.ID); err != nil {
		t.Fatalf("DeletePost: %v", err)
	}
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("after delete the fake holds %d posts, want 1", n)
	}
}

func TestCreatePostErrors(t *testing.T) {
	reset := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	resetHeader := map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": strconv.FormatInt(reset.Unix(), 10)}
	tests := []struct {
		name       string
		setup      func(*xfake.Server)
		edit       func(*Options)
		text       string
		kind       bots.ErrorKind
		status     int
		code       int
		msg        string
		retryAt    time.Time
		postExists bool // the fake holds the post afterwards
	}{
		{name: "duplicate", setup: func(s *xfake.Server) { s.AddPost("same words", time.Time{}) },
			text: "same words", kind: bots.KindDuplicate, status: 403, msg: xfake.DuplicateDetail, postExists: true},
		{name: "rate limited problem JSON",
			setup: func(s *xfake.Server) {
				s.FailNext(429, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`, resetHeader)
			},
			kind: bots.KindRateLimited, status: 429, msg: "Too Many Requests", retryAt: reset},
		{name: "rate limited legacy code 88",
			setup: func(s *xfake.Server) {
				s.FailNext(429, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, resetHeader)
			},
			kind: bots.KindRateLimited, status: 429, code: 88, msg: "Rate limit exceeded", retryAt: reset},
		{name: "24 hour user cap",
			setup: func(s *xfake.Server) {
				s.FailNext(429, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`, map[string]string{
					"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": strconv.FormatInt(reset.Add(5*time.Hour).Unix(), 10)})
			},
			kind: bots.KindRateLimited, status: 429, retryAt: reset.Add(5 * time.Hour)},
		{name: "revoked token", setup: func(s *xfake.Server) { s.RevokeToken(true) },
			kind: bots.KindAuth, status: 401, msg: "Unauthorized"},
		{name: "wrong consumer secret", edit: func(o *Options) { o.ConsumerSecret = "nope" },
			kind: bots.KindAuth, status: 401},
		{name: "read-only app",
			setup: func(s *xfake.Server) {
				s.FailNext(403, `{"title":"Unsupported Authentication","detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.twitter.com/2/problems/oauth1-permissions","status":403}`, nil)
			},
			kind: bots.KindAuth, status: 403, msg: "oauth1 app permissions"},
		{name: "other 403",
			setup: func(s *xfake.Server) {
				s.FailNext(403, `{"title":"Forbidden","detail":"You are not permitted to perform this action.","type":"about:blank","status":403}`, nil)
			},
			kind: bots.KindInvalid, status: 403, msg: "not permitted"},
		{name: "too long", text: strings.Repeat("a", 281), kind: bots.KindInvalid, status: 400, msg: "too long"},
		{name: "bad request",
			setup: func(s *xfake.Server) {
				s.FailNext(400, `{"errors":[{"message":"bad"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`, nil)
			},
			kind: bots.KindInvalid, status: 400, msg: "One or more parameters"},
		{name: "503", setup: func(s *xfake.Server) { s.FailNext(503, `{"title":"Service Unavailable","status":503}`, nil) },
			kind: bots.KindAmbiguous, status: 503, msg: "Service Unavailable"},
		{name: "HTML 502", setup: func(s *xfake.Server) {
			s.FailNext(502, "<html><body>Bad Gateway</body></html>", map[string]string{"Content-Type": "text/html"})
		},
			kind: bots.KindAmbiguous, status: 502, msg: "<html><body>Bad Gateway"},
		{name: "2xx without id", setup: func(s *xfake.Server) { s.FailNext(201, `{"data":{}}`, nil) },
			kind: bots.KindAmbiguous, msg: "no post id"},
		{name: "2xx not JSON", setup: func(s *xfake.Server) { s.FailNext(201, `oops`, nil) },
			kind: bots.KindAmbiguous, status: 201, msg: "cannot decode"},
		{name: "timeout after sending", setup: func(s *xfake.Server) { s.HangNext(5 * time.Second) },
			edit: func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} },
			kind: bots.KindAmbiguous, postExists: true},
		{name: "connection dropped after sending", setup: func(s *xfake.Server) { s.DropNext() },
			kind: bots.KindAmbiguous, postExists: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := xfake.NewServer(t, testCreds)
			if tt.setup != nil {
				tt.setup(srv)
			}
			edits := []func(*Options){}
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			c := newTestClient(t, srv.URL, edits...)
			text := tt.text
			if text == "" {
				text = "post for " + tt.name
			}
			_, err := c.CreatePost(context.Background(), text)
			if err == nil {
				t.Fatal("CreatePost succeeded")
			}
			be := nettest.AsError(t, err)
			if be.Kind != tt.kind || be.Status != tt.status || be.Code != tt.code {
				t.Errorf("got kind %s status %d code %d, want %s %d %d (%v)", be.Kind, be.Status, be.Code, tt.kind, tt.status, tt.code, err)
			}
			if !strings.Contains(be.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", be.Message, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "x: ") {
				t.Errorf("error %q is not prefixed with the package name", err)
			}
			if !tt.retryAt.IsZero() && !be.RetryAt.Equal(tt.retryAt) {
				t.Errorf("RetryAt = %v, want %v", be.RetryAt, tt.retryAt)
			}
			if got := bots.ClassifyError(fmt.Errorf("wrapped: %w", err)); got != tt.kind {
				t.Errorf("ClassifyError = %s", got)
			}
			exists := false
			for _, p := range srv.Posts() {
				exists = exists || p.Text == text
			}
			if exists != tt.postExists {
				t.Errorf("post exists on the fake = %v, want %v", exists, tt.postExists)
			}
		})
	}
}

func TestCreatePostNotSent(t *testing.T) {
	// A port nobody listens on: the dial is refused, nothing was sent.
	c := newTestClient(t, nettest.ClosedURL(t))
	_, err := c.CreatePost(context.Background(), "hello")
	if be := nettest.AsError(t, err); be.Kind != bots.KindNotSent {
		t.Fatalf("kind = %s, want not_sent (%v)", be.Kind, err)
	}

	// A context already cancelled never reaches the network either.
	srv := xfake.NewServer(t, testCreds)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = newTestClient(t, srv.URL).CreatePost(ctx, "hello")
	if be := nettest.AsError(t, err); be.Kind != bots.KindNotSent {
		t.Fatalf("cancelled: kind = %s, want not_sent (%v)", be.Kind, err)
	}
	if n := len(srv.Posts()); n != 0 {
		t.Errorf("fake holds %d posts", n)
	}
}

func TestRateLimitNeverExceeded(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := xfake.NewServer(t, testCreds)
	srv.SetClock(clock)
	srv.SetRateLimit(5, 15*time.Minute)
	c := newTestClient(t, srv.URL, func(o *Options) { o.Now = clock })

	post := func(round int) (ok, limited int) {
		var wg sync.WaitGroup
		var cmu sync.Mutex
		for i := range 30 {
			wg.Go(func() {
				_, err := c.CreatePost(context.Background(), fmt.Sprintf("round %d post %d", round, i))
				cmu.Lock()
				defer cmu.Unlock()
				switch {
				case err == nil:
					ok++
				case bots.ClassifyError(err) == bots.KindRateLimited:
					limited++
					if at := nettest.AsError(t, err).RetryAt; !at.Equal(now.Add(15 * time.Minute)) {
						t.Errorf("RetryAt = %v, want the window's end", at)
					}
				default:
					t.Errorf("post %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		return ok, limited
	}
	if ok, limited := post(1); ok != 5 || limited != 25 {
		t.Errorf("first window: %d sent, %d refused; want 5 and 25", ok, limited)
	}
	mu.Lock()
	now = now.Add(15 * time.Minute)
	mu.Unlock()
	if ok, limited := post(2); ok != 5 || limited != 25 {
		t.Errorf("second window: %d sent, %d refused; want 5 and 25", ok, limited)
	}
	if v := srv.Violations(); v != 0 {
		t.Errorf("the client exceeded the limit %d times", v)
	}
	if n := srv.Requests(); n != 10 {
		t.Errorf("the fake saw %d requests, want 10", n)
	}
}

func TestRateLimitAfter429(t *testing.T) {
	srv := xfake.NewServer(t, testCreds)
	c := newTestClient(t, srv.URL)
	srv.FailNext(429, `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, nil)
	if _, err := c.CreatePost(context.Background(), "one"); bots.ClassifyError(err) != bots.KindRateLimited {
		t.Fatalf("first: %v", err)
	}
	before := srv.Requests()
	_, err := c.CreatePost(context.Background(), "two")
	if bots.ClassifyError(err) != bots.KindRateLimited {
		t.Fatalf("second: %v", err)
	}
	if srv.Requests() != before {
		t.Error("a request was sent while the 429's wait was running")
	}
	if !strings.Contains(err.Error(), "without sending") {
		t.Errorf("the local refusal does not say so: %v", err)
	}
}

func TestLookupMetricsAndMe(t *testing.T) {
	srv := xfake.NewServer(t, testCreds)
	c := newTestClient(t, srv.URL)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		tw, err := c.CreatePost(ctx, fmt.Sprintf("post %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tw.ID)
		srv.SetMetrics(tw.ID, xfake.Metrics{LikeCount: int64(i + 1), ImpressionCount: 100})
	}
	got, err := c.LookupMetrics(ctx, append(ids, "1234"))
	if err != nil {
		t.Fatalf("LookupMetrics: %v (fake: %s)", err, srv.LastAuthFailure())
	}
	if len(got) != 3 || got[ids[2]].LikeCount != 3 || got[ids[0]].ImpressionCount != 100 {
		t.Errorf("metrics = %+v", got)
	}
	if _, err := c.LookupMetrics(ctx, []string{"12,34"}); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("a malformed id: %v", err)
	}

	me, err := c.Me(ctx)
	if err != nil || me.ID != xfake.UserID || me.Username != xfake.Username {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	n := srv.Requests()
	if _, err := c.Me(ctx); err != nil || srv.Requests() != n {
		t.Errorf("Me was asked again (err %v)", err)
	}
	posts, err := c.RecentPosts(ctx, me.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 2 || posts[0].ID != ids[2] || posts[0].CreatedAt.IsZero() {
		t.Errorf("RecentPosts = %+v", posts)
	}
}
