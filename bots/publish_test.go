package bots

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fanfarehq/fanfare/content"
)

func TestPublishOutcomes(t *testing.T) {
	cases := []struct {
		name      string
		fail      *failure
		want      content.State
		wantError string
		created   int
		slotMoved bool // released to a later slot
	}{
		{name: "success", want: content.StatePublished, created: 1},
		{name: "invalid", fail: &failure{err: &Error{Kind: KindInvalid, Status: 400, Message: "text: too long"}}, want: content.StateFailed, wantError: "text: too long"},
		{name: "blocked", fail: &failure{err: &Error{Kind: KindBlocked, Code: 368, Message: "temporarily blocked"}}, want: content.StateFailed, wantError: "temporarily blocked"},
		{name: "5xx after create", fail: &failure{created: true, err: &Error{Kind: KindAmbiguous, Status: 503, Message: "Service Unavailable"}}, want: content.StateUnknown, wantError: "Service Unavailable", created: 1},
		{name: "5xx before create", fail: &failure{err: &Error{Kind: KindAmbiguous, Status: 500, Message: "Internal Error"}}, want: content.StateUnknown, wantError: "Internal Error"},
		{name: "timeout", fail: &failure{hang: true}, want: content.StateUnknown, wantError: "deadline exceeded"},
		{name: "not sent", fail: &failure{err: &Error{Kind: KindNotSent, Message: "connection refused"}}, want: content.StateApproved, wantError: "connection refused", slotMoved: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newTestEnv(t)
			net := newFakeNet("x", e.clock.Now)
			if tc.fail != nil {
				net.fail(*tc.fail)
			}
			reg := prometheus.NewRegistry()
			j := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{Lease: time.Minute, Timeout: 50 * time.Millisecond, Registerer: reg})
			p := e.approved(t, "x", "k")
			if err := j.Run(ctx); err != nil {
				t.Fatal(err)
			}
			got := e.get(t, p.ID)
			if got.State != tc.want {
				t.Fatalf("state %s, want %s (last error %q)", got.State, tc.want, got.LastError)
			}
			if !strings.Contains(got.LastError, tc.wantError) {
				t.Errorf("last error %q, want %q", got.LastError, tc.wantError)
			}
			if n := net.createdCount(p.ID); n != tc.created {
				t.Errorf("created %d times on the network, want %d", n, tc.created)
			}
			if got.Attempts != 1 {
				t.Errorf("attempts %d, want 1", got.Attempts)
			}
			if tc.want == content.StatePublished && (got.ExternalID == "" || got.ExternalURL == "" || got.PublishedAt.IsZero()) {
				t.Errorf("published without receipt: %+v", got)
			}
			if tc.slotMoved && !got.ScheduledAt.Equal(e.clock.Now().Add(time.Minute)) {
				t.Errorf("released to %s, want now+1m backoff", got.ScheduledAt)
			}
			if n := testutil.CollectAndCount(reg, "fanfare_publish_attempts_total"); n != 1 {
				t.Errorf("%d outcome series, want 1", n)
			}
			// The next run sends nothing again, whatever the outcome.
			if err := j.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if n := net.createdCount(p.ID); n != tc.created {
				t.Errorf("after a second run: created %d times, want %d", n, tc.created)
			}
		})
	}
}

func TestPublishDuplicate(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	p := e.approved(t, "x", "dup")
	net.posts = append(net.posts, fakePost{ID: "1", Text: p.Text, At: e.clock.Now()})
	if err := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(t, p.ID)
	if got.State != content.StateDuplicate || !strings.Contains(got.LastError, "duplicate content") {
		t.Errorf("state %s %q, want duplicate with the network's words", got.State, got.LastError)
	}
}

func TestNotSentBackoffGrows(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 6: 30 * time.Minute, 40: 30 * time.Minute} {
		if got := defaultBackoff(attempts); got != want {
			t.Errorf("backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}

func TestRateLimitNeverExceeded(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	net.limit, net.window, net.winStart = 3, 15*time.Minute, e.clock.Now()
	j := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{})
	var ids []string
	for i := range 10 {
		ids = append(ids, e.approved(t, "x", string(rune('a'+i))).ID)
	}
	for range 70 {
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute)
	}
	if net.violations != 0 {
		t.Errorf("%d requests sent after a 429 before its reset", net.violations)
	}
	for _, id := range ids {
		if p := e.get(t, id); p.State != content.StatePublished || net.createdCount(id) != 1 {
			t.Errorf("post %s: %s, created %d times", id, p.State, net.createdCount(id))
		}
	}
	// 10 posts at 3 per window: at most one 429 per window, 4 windows.
	if net.requests > 10+4 {
		t.Errorf("%d requests for 10 posts", net.requests)
	}
}

func TestRevokedTokenPausesThenResumes(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	net.setRevoked(true)
	reg := prometheus.NewRegistry()
	j := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{Registerer: reg})
	a := e.approved(t, "x", "a")
	b := e.approved(t, "x", "b")
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := e.nets.Status(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Paused || st.Reason != "Unauthorized" || !st.Since.Equal(e.clock.Now()) {
		t.Errorf("status %+v, want paused since now with the network's reason", st)
	}
	if v := testutil.ToFloat64(j.m.paused.WithLabelValues("x")); v != 1 {
		t.Errorf("paused gauge %v", v)
	}
	for _, id := range []string{a.ID, b.ID} {
		if p := e.get(t, id); p.State != content.StateApproved {
			t.Errorf("post %s is %s while paused, want approved", id, p.State)
		}
	}
	if net.requests != 1 {
		t.Errorf("%d publish requests with a revoked token, want 1 (then stop)", net.requests)
	}
	// Still broken: checked at most once a minute, nothing sent.
	e.clock.Add(30 * time.Second)
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.nets.Status(ctx, "x"); !st.Paused || !st.Since.Equal(e.clock.Now().Add(-90*time.Second)) {
		t.Errorf("status %+v: want still paused since the first failure", st)
	}
	if net.requests != 1 {
		t.Errorf("%d publish requests while paused", net.requests)
	}
	net.setRevoked(false)
	e.clock.Add(time.Minute)
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.nets.Status(ctx, "x"); st.Paused {
		t.Errorf("still paused after the token works again: %+v", st)
	}
	for _, id := range []string{a.ID, b.ID} {
		if p := e.get(t, id); p.State != content.StatePublished || net.createdCount(id) != 1 {
			t.Errorf("post %s: %s created %d times after resume", id, p.State, net.createdCount(id))
		}
	}
}

func TestExpiredNotAfter(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	p, _, err := e.store.Create(ctx, content.Draft{DedupKey: "e", Kind: content.KindMilestone, Network: "x", Milestone: "ending:24h",
		Text: "24 hours left!", NotAfter: e.clock.Now().Add(time.Minute), Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ReserveSlot(ctx, p.ID, e.clock.Now().Add(2*time.Minute), "late", content.SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(3 * time.Minute)
	if err := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(t, p.ID)
	if got.State != content.StateExpired || !strings.Contains(got.LastError, "not_after") || net.requests != 0 {
		t.Errorf("state %s %q, %d requests; want expired with reason, nothing sent", got.State, got.LastError, net.requests)
	}
}

func TestPublishWithSchedulerQuietHoursAndCap(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t) // 09:00 UTC
	net := newFakeNet("x", e.clock.Now)
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {DailyCap: 3, MinSpacing: 10 * time.Minute}},
		QuietHours: &QuietHours{Start: "22:00", End: "08:00"}, Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewPublishJob(e.store, e.nets, sched, map[string]Publisher{"x": net}, PublishOptions{Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: string(rune('a' + i)), Kind: content.KindCurated, Network: "x", Text: "n" + string(rune('a'+i)), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	// Two days in 5-minute steps.
	for range 2 * 24 * 12 {
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(5 * time.Minute)
	}
	perDay := map[string]int{}
	var last time.Time
	for _, p := range net.posts {
		perDay[p.At.Format("2006-01-02")]++
		if h := p.At.Hour(); h >= 22 || h < 8 {
			t.Errorf("published at %s, in quiet hours", p.At)
		}
		if !last.IsZero() && p.At.Sub(last) < 10*time.Minute {
			t.Errorf("published %s after the previous post", p.At.Sub(last))
		}
		last = p.At
	}
	if len(net.posts) != 5 || perDay["2026-03-10"] != 3 || perDay["2026-03-11"] != 2 {
		t.Errorf("published %d posts, per day %v; want 3 then 2", len(net.posts), perDay)
	}
}

func TestBacklogAfterPauseIsPlannedAgain(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t) // 09:00 UTC
	net := newFakeNet("x", e.clock.Now)
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {DailyCap: 3, MinSpacing: 20 * time.Minute}},
		Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewPublishJob(e.store, e.nets, sched, map[string]Publisher{"x": net}, PublishOptions{Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.nets.Pause(ctx, "x", "Unauthorized"); err != nil {
		t.Fatal(err)
	}
	net.setRevoked(true)
	for i := range 5 {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: string(rune('a' + i)), Kind: content.KindCurated, Network: "x", Text: "n" + string(rune('a'+i)), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	if err := sched.PlanNetwork(ctx, "x"); err != nil { // slots today 09:00, 09:20, 09:40
		t.Fatal(err)
	}
	e.clock.Add(27 * time.Hour) // the token is fixed the next day at 12:00
	net.setRevoked(false)
	for range 24 * 12 {
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(5 * time.Minute)
	}
	perDay := map[string]int{}
	var last time.Time
	for _, p := range net.posts {
		perDay[p.At.Format("2006-01-02")]++
		if !last.IsZero() && p.At.Sub(last) < 20*time.Minute {
			t.Errorf("backlog burst: a post %s after the previous one", p.At.Sub(last))
		}
		last = p.At
	}
	if len(net.posts) != 5 || perDay["2026-03-11"] != 3 || perDay["2026-03-12"] != 2 {
		t.Errorf("published %d, per day %v; want 3 on the day of the resume, then 2", len(net.posts), perDay)
	}
}
