package bots_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/x"
	"github.com/fanfarehq/fanfare/bots/x/xfake"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// These tests run the publish and reconcile jobs through the real X client
// against its fake, so the error classification and the job agree.

var creds = xfake.Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at", AccessTokenSecret: "as"}

type xEnv struct {
	srv   *xfake.Server
	store *content.Store
	nets  *bots.Networks
	job   *bots.PublishJob
	rec   *bots.ReconcileJob
}

func newXEnv(t *testing.T) *xEnv {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := xfake.NewServer(t, creds)
	c, err := x.NewClient(x.Options{BaseURL: srv.URL, ConsumerKey: creds.ConsumerKey, ConsumerSecret: creds.ConsumerSecret,
		AccessToken: creds.AccessToken, AccessTokenSecret: creds.AccessTokenSecret, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	rdb := redistest.Client(t)
	store, err := content.NewStore(rdb, "e2e", content.StoreOptions{AutoApprove: []string{"curated"}})
	if err != nil {
		t.Fatal(err)
	}
	nets := bots.NewNetworks(rdb, "e2e", []bots.NetworkConfig{{Name: "x", Enabled: true}}, nil)
	// No good hours: the tests run at any hour of the day, on the wall
	// clock, and X's default hours would hold a post made at 05:00 UTC
	// until 08:00.
	sched, err := bots.NewScheduler(store, bots.SchedulerOptions{Networks: map[string]bots.NetworkLimits{"x": {}},
		GoodHours: map[string][]bots.HourRange{"x": nil}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	pubs := map[string]bots.Publisher{"x": x.NewPublisher(c)}
	job, err := bots.NewPublishJob(store, nets, sched, pubs, bots.PublishOptions{Lease: 4 * time.Second, Timeout: time.Second,
		VerifyEvery: time.Nanosecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	rec := bots.NewReconcileJob(rdb, "e2e", store, nets, pubs, bots.ReconcileOptions{Logger: log})
	return &xEnv{srv: srv, store: store, nets: nets, job: job, rec: rec}
}

func (e *xEnv) post(t *testing.T, text string) content.Post {
	t.Helper()
	p, _, err := e.store.Create(context.Background(), content.Draft{DedupKey: text, Kind: content.KindCurated, Network: "x", Text: text, Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *xEnv) run(t *testing.T) {
	t.Helper()
	if err := e.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *xEnv) state(t *testing.T, id string) content.Post {
	t.Helper()
	p, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s *xfake.Server, text string)
		want  content.State
		posts int // on the account afterwards
	}{
		{"created", func(*xfake.Server, string) {}, content.StatePublished, 1},
		{"duplicate", func(s *xfake.Server, text string) { s.AddPost(text, time.Now().Add(-time.Hour)) }, content.StateDuplicate, 1},
		{"503 not created stays unknown", func(s *xfake.Server, _ string) {
			s.FailNext(503, `{"title":"Service Unavailable","type":"about:blank","status":503,"detail":"Service Unavailable"}`, nil)
		}, content.StateUnknown, 0},
		{"dropped connection after create is found", func(s *xfake.Server, _ string) { s.DropNext() }, content.StatePublished, 1},
		{"timeout after create is found", func(s *xfake.Server, _ string) { s.HangNext(3 * time.Second) }, content.StatePublished, 1},
		{"invalid fails", func(s *xfake.Server, _ string) {
			s.FailNext(400, `{"title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request","status":400,"detail":"One or more parameters to your request was invalid."}`, nil)
		}, content.StateFailed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newXEnv(t)
			text := "Campaign " + tc.name + " is funded!"
			tc.setup(e.srv, text)
			p := e.post(t, text)
			e.run(t)
			e.run(t)
			got := e.state(t, p.ID)
			if got.State != tc.want {
				t.Fatalf("state %s (%q), want %s", got.State, got.LastError, tc.want)
			}
			if n := len(e.srv.Posts()); n != tc.posts {
				t.Errorf("%d posts on the account, want %d", n, tc.posts)
			}
		})
	}
}

func TestXRateLimitAndRevokedToken(t *testing.T) {
	e := newXEnv(t)
	e.srv.SetRateLimit(3, 15*time.Minute)
	var ids []string
	for _, s := range []string{"one", "two", "three", "four", "five"} {
		ids = append(ids, e.post(t, "Post "+s).ID)
	}
	for range 3 {
		if err := e.job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if v := e.srv.Violations(); v > 1 {
		t.Errorf("%d requests beyond the rate limit (the first 429 may be unavoidable, never more)", v)
	}
	published := 0
	for _, id := range ids {
		switch p := e.state(t, id); p.State {
		case content.StatePublished:
			published++
		case content.StateApproved:
		default:
			t.Errorf("post %s: %s (%s)", id, p.State, p.LastError)
		}
	}
	if published != 3 || len(e.srv.Posts()) != 3 {
		t.Errorf("%d published, %d on the account; want 3 and the rest waiting", published, len(e.srv.Posts()))
	}

	e2 := newXEnv(t)
	e2.srv.RevokeToken(true)
	p := e2.post(t, "Token test")
	if err := e2.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := e2.nets.Status(context.Background(), "x")
	if !st.Paused || e2.state(t, p.ID).State != content.StateApproved {
		t.Fatalf("revoked token: status %+v, post %s; want paused and approved", st, e2.state(t, p.ID).State)
	}
	e2.srv.RevokeToken(false)
	if err := e2.job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e2.state(t, p.ID); got.State != content.StatePublished || len(e2.srv.Posts()) != 1 {
		t.Errorf("after the token works again: %s, %d posts", got.State, len(e2.srv.Posts()))
	}
}
