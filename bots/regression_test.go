package bots

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// slowNet is a network that takes a while to answer: the clock moves on by
// took during each Publish, as it would in a long run.
type slowNet struct {
	*fakeNet
	clock *clock
	took  time.Duration
}

func (s *slowNet) Publish(ctx context.Context, m Message) (Receipt, error) {
	s.clock.Add(s.took)
	return s.fakeNet.Publish(ctx, m)
}

// TestNotAfterPassesDuringTheRun: ExpireDue runs once at the start of the
// run; a post whose not_after passes while earlier posts are being sent is
// expired at its claim, never sent.
func TestNotAfterPassesDuringTheRun(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := &slowNet{fakeNet: newFakeNet("x", e.clock.Now), clock: e.clock, took: 45 * time.Second}
	first := e.approved(t, "x", "first")
	late, _, err := e.store.Create(ctx, content.Draft{DedupKey: "late", Kind: content.KindMilestone, Network: "x", Milestone: "ending:24h",
		CampaignID: "c-late", Text: "24 hours left!", NotAfter: e.clock.Now().Add(30 * time.Second), Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, late.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ReserveSlot(ctx, late.ID, e.clock.Now(), "now", content.SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	j := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{})
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, first.ID); got.State != content.StatePublished {
		t.Fatalf("first post: %s, want published", got.State)
	}
	got := e.get(t, late.ID)
	if got.State != content.StateExpired || net.createdCount(late.ID) != 0 {
		t.Fatalf("post past its not_after: %s, created %d times; want expired, never sent", got.State, net.createdCount(late.ID))
	}
	last := got.Audit[len(got.Audit)-1]
	if last.Reason != expiredReason || last.Actor != "system:publish" || got.LastError != expiredReason || got.Attempts != 0 {
		t.Errorf("expiry %+v, last error %q, %d attempts; want the reason by system:publish and no attempt", last, got.LastError, got.Attempts)
	}
	if net.requests != 1 {
		t.Errorf("%d publish requests, want 1", net.requests)
	}
}

// TestReleasedPostKeepsSpacing: a post that was not sent goes back through
// the scheduler, so its retry keeps the min spacing with the post planned
// after it (it used to be retried a minute later, 19 minutes before it).
func TestReleasedPostKeepsSpacing(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t) // 09:00 UTC
	net := newFakeNet("x", e.clock.Now)
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {MinSpacing: 20 * time.Minute}},
		Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewPublishJob(e.store, e.nets, sched, map[string]Publisher{"x": net}, PublishOptions{Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	// flaky goes first (09:00), steady second (09:20); flaky's first try is
	// refused before anything is sent.
	mk := func(key string, prio int) content.Post {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindCurated, Network: "x", CampaignID: "c-" + key,
			Text: "news " + key, Priority: prio, Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flaky, steady := mk("flaky", 1), mk("steady", 2)
	net.fail(failure{err: &Error{Kind: KindNotSent, Message: "connection refused"}})
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(t, flaky.ID)
	if got.State != content.StateApproved || !got.ScheduledAt.Equal(time.Date(2026, 3, 10, 9, 40, 0, 0, time.UTC)) ||
		!strings.HasPrefix(got.SlotNote, retryNote) {
		t.Errorf("released post: %s at %s %q; want approved at 09:40 (after steady at 09:20), a retry note", got.State, got.ScheduledAt, got.SlotNote)
	}
	for range 100 { // to 09:50
		e.clock.Add(30 * time.Second)
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{flaky.ID, steady.ID} {
		if p := e.get(t, id); p.State != content.StatePublished || net.createdCount(id) != 1 {
			t.Errorf("post %s: %s, created %d times", id, p.State, net.createdCount(id))
		}
	}
	for i := 1; i < len(net.posts); i++ {
		if d := net.posts[i].At.Sub(net.posts[i-1].At); d < 20*time.Minute {
			t.Errorf("two posts %s apart, min spacing 20m", d)
		}
	}
}

// TestReleaseThenPlan: a released post is placed by the scheduler no earlier
// than its retry time, within the spacing, quiet hours and daily cap.
func TestReleaseThenPlan(t *testing.T) {
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	cases := []struct {
		name      string
		others    []time.Time // slots other posts hold
		notBefore time.Time
		want      time.Time
		note      string
	}{
		{name: "free", notBefore: day(10, 9, 15), want: day(10, 9, 15), note: "retry: not before 09:15:00; earliest free slot"},
		{name: "min spacing", others: []time.Time{day(10, 9, 30)}, notBefore: day(10, 9, 20), want: day(10, 9, 50), note: "min spacing 20m after 09:30 post"},
		{name: "quiet hours", notBefore: day(10, 22, 10), want: day(11, 8, 0), note: "quiet hours until 08:00"},
		{name: "daily cap", others: []time.Time{day(10, 10, 0), day(10, 10, 30)}, notBefore: day(10, 11, 0), want: day(11, 8, 0), note: "daily cap 2 reached on 2026-03-10"},
		{name: "no retry time", others: []time.Time{day(10, 9, 10)}, want: day(10, 9, 30), note: "min spacing 20m after 09:10 post"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newTestEnv(t) // 09:00 UTC
			sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {DailyCap: 2, MinSpacing: 20 * time.Minute}},
				QuietHours: &QuietHours{Start: "22:00", End: "08:00"}, Now: e.clock.Now, Logger: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			p := e.approved(t, "x", "p")
			if _, err := e.store.Claim(ctx, p.ID, "a1", time.Minute); err != nil {
				t.Fatal(err)
			}
			for i, at := range tc.others {
				o, _, err := e.store.Create(ctx, content.Draft{DedupKey: "o" + at.String(), Kind: content.KindCurated, Network: "x",
					Text: "other " + at.String(), Actor: "t"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.store.Approve(ctx, o.ID, "ann"); err != nil {
					t.Fatal(err)
				}
				if err := e.store.ReserveSlot(ctx, o.ID, at, "other", content.SlotGuard{}); err != nil {
					t.Fatalf("other slot %d: %v", i, err)
				}
			}
			if _, err := e.store.Release(ctx, p.ID, "a1", tc.notBefore, "not sent: connection refused"); err != nil {
				t.Fatal(err)
			}
			if err := sched.PlanNetwork(ctx, "x"); err != nil {
				t.Fatal(err)
			}
			got := e.get(t, p.ID)
			if got.State != content.StateApproved || !got.ScheduledAt.Equal(tc.want) || !strings.Contains(got.SlotNote, tc.note) {
				t.Errorf("released post %s at %s %q; want %s %q", got.State, got.ScheduledAt, got.SlotNote, tc.want, tc.note)
			}
			if got.ScheduledAt.Before(tc.notBefore) {
				t.Errorf("slot %s before the retry time %s", got.ScheduledAt, tc.notBefore)
			}
		})
	}
}

// TestRunStopsBeforeItsDeadline: a claim made too close to the job's deadline
// would be cut mid-request and end unknown; the run leaves the post for the
// next one instead.
func TestRunStopsBeforeItsDeadline(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration
		want     content.State
	}{
		{name: "deadline closer than the timeout", deadline: 200 * time.Millisecond, want: content.StateApproved},
		{name: "deadline far enough", deadline: 30 * time.Second, want: content.StatePublished},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			net := newFakeNet("x", e.clock.Now)
			j := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{Lease: 20 * time.Second, Timeout: 10 * time.Second})
			p := e.approved(t, "x", "p")
			ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
			defer cancel()
			if err := j.Run(ctx); err != nil {
				t.Fatal(err)
			}
			got := e.get(t, p.ID)
			if got.State != tc.want {
				t.Errorf("post %s, want %s", got.State, tc.want)
			}
			if tc.want == content.StateApproved && (got.Attempts != 0 || net.requests != 0) {
				t.Errorf("%d attempts, %d requests; want the post left untouched", got.Attempts, net.requests)
			}
		})
	}
}

// unknownPost drives a post with this text to unknown, as a timed-out publish
// would, without touching the network.
func (e *env) unknownPost(t *testing.T, key, text string) content.Post {
	t.Helper()
	ctx := context.Background()
	p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindManual, Network: "x", Text: text, Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ReserveSlot(ctx, p.ID, e.clock.Now(), "now", content.SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Claim(ctx, p.ID, "a-"+key, time.Minute); err != nil {
		t.Fatal(err)
	}
	if p, err = e.store.Complete(ctx, p.ID, "a-"+key, content.Outcome{State: content.StateUnknown, Error: "timeout"}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReconcileAttributesANetworkPostOnce: two unknown posts with one text and
// one post on the network: reconcile settles one of them, never both, even
// with replicas running at once; a network post that is already a published
// post's settles none.
func TestReconcileAttributesANetworkPostOnce(t *testing.T) {
	t.Run("two unknown, replicas", func(t *testing.T) {
		ctx := context.Background()
		e := newTestEnv(t)
		net := newFakeNet("x", e.clock.Now)
		a, b := e.unknownPost(t, "a", "Same words"), e.unknownPost(t, "b", "Same words")
		net.posts = append(net.posts, fakePost{ID: "1000", Text: "Same words", At: e.clock.Now()})
		e.clock.Add(time.Minute)
		var wg sync.WaitGroup
		for range 3 {
			r := newEnv(t, redistestNewClient(t), e.clock)
			rec := NewReconcileJob(r.rdb, testPrefix, r.store, r.nets, map[string]Publisher{"x": net}, ReconcileOptions{Now: e.clock.Now, Logger: quietLog()})
			wg.Go(func() {
				if err := rec.Run(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		published := 0
		for _, id := range []string{a.ID, b.ID} {
			if p := e.get(t, id); p.State == content.StatePublished {
				published++
				if p.ExternalID != "1000" {
					t.Errorf("post %s settled with %q", id, p.ExternalID)
				}
			} else if p.State != content.StateUnknown {
				t.Errorf("post %s: %s", id, p.State)
			}
		}
		if published != 1 {
			t.Errorf("%d posts settled by one network post, want 1", published)
		}
	})
	t.Run("already published", func(t *testing.T) {
		ctx := context.Background()
		e := newTestEnv(t)
		net := newFakeNet("x", e.clock.Now)
		pubs := map[string]Publisher{"x": net}
		done := e.approved(t, "x", "done")
		if err := e.publishJob(t, pubs, PublishOptions{}).Run(ctx); err != nil {
			t.Fatal(err)
		}
		if p := e.get(t, done.ID); p.State != content.StatePublished {
			t.Fatalf("first post %s", p.State)
		}
		twin := e.unknownPost(t, "twin", done.Text)
		e.clock.Add(time.Minute)
		rec := NewReconcileJob(e.rdb, testPrefix, e.store, e.nets, pubs, ReconcileOptions{Now: e.clock.Now, Logger: quietLog()})
		if err := rec.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if p := e.get(t, twin.ID); p.State != content.StateUnknown {
			t.Errorf("post matched to another post's network id: %s %q", p.State, p.ExternalID)
		}
	})
}

// countingNet counts FindRecent calls.
type countingNet struct {
	*fakeNet
	finds atomic.Int32
}

func (c *countingNet) FindRecent(ctx context.Context, text string, since time.Time) (Receipt, bool, error) {
	c.finds.Add(1)
	return c.fakeNet.FindRecent(ctx, text, since)
}

// TestReconcileTriesUnderReplicas: replicas running at once look for a post
// no more than MaxTries times in all.
func TestReconcileTriesUnderReplicas(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := &countingNet{fakeNet: newFakeNet("x", e.clock.Now)}
	e.unknownPost(t, "missing", "Nowhere to be found")
	var recs []*ReconcileJob
	for range 4 {
		r := newEnv(t, redistestNewClient(t), e.clock)
		recs = append(recs, NewReconcileJob(r.rdb, testPrefix, r.store, r.nets, map[string]Publisher{"x": net}, ReconcileOptions{MaxTries: 3, Now: e.clock.Now, Logger: quietLog()}))
	}
	// Five rounds, each of every replica at once, the backoff's wait apart:
	// one look per round until MaxTries.
	for round := 1; round <= 5; round++ {
		var wg sync.WaitGroup
		for _, rec := range recs {
			wg.Go(func() {
				for range 3 {
					if err := rec.Run(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if n, want := net.finds.Load(), int32(min(round, 3)); n != want {
			t.Fatalf("round %d: looked %d times, want %d", round, n, want)
		}
		e.clock.Add(reconcileWait(round))
	}
}
