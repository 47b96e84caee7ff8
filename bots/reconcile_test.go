package bots

import (
	"context"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

func TestReconcile(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	pubs := map[string]Publisher{"x": net}
	j := e.publishJob(t, pubs, PublishOptions{})
	rec := NewReconcileJob(e.rdb, testPrefix, e.store, e.nets, pubs, ReconcileOptions{MaxTries: 3, Now: e.clock.Now, Logger: quietLog()})

	// Two 503s: the first after the network created the post, the second before.
	net.fail(failure{created: true, err: &Error{Kind: KindAmbiguous, Status: 503}}, failure{err: &Error{Kind: KindAmbiguous, Status: 503}})
	there := e.approved(t, "x", "there")
	missing := e.approved(t, "x", "missing")
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{there.ID, missing.ID} {
		if p := e.get(t, id); p.State != content.StateUnknown {
			t.Fatalf("after 503: %s, want unknown", p.State)
		}
	}
	e.clock.Add(time.Minute)
	for i := range 5 {
		if err := rec.Run(ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(reconcileWait(i + 1))
	}
	got := e.get(t, there.ID)
	if got.State != content.StatePublished || got.ExternalID == "" || got.Audit[len(got.Audit)-1].Actor != "system:reconcile" {
		t.Errorf("created post: %s id %q audit %+v; want published by system:reconcile", got.State, got.ExternalID, got.Audit[len(got.Audit)-1])
	}
	if p := e.get(t, missing.ID); p.State != content.StateUnknown {
		t.Errorf("missing post: %s, want unknown for a person", p.State)
	}
	tries, _ := e.rdb.HGet(ctx, newKeys(testPrefix).reconcileLooks(missing.ID), "tries").Int()
	if tries != 3 {
		t.Errorf("looked %d times, want MaxTries 3 then stop", tries)
	}
	if n, _ := e.rdb.Exists(ctx, newKeys(testPrefix).reconcileLooks(there.ID)).Result(); n != 0 {
		t.Error("tries counter of a found post kept")
	}
	// Nothing was ever sent twice.
	if net.createdCount(there.ID) != 1 || net.createdCount(missing.ID) != 0 || net.requests != 2 {
		t.Errorf("created %d/%d, %d requests", net.createdCount(there.ID), net.createdCount(missing.ID), net.requests)
	}
}

func TestReconcileGivesUpAfterADay(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	pubs := map[string]Publisher{"x": net}
	net.fail(failure{created: true, err: &Error{Kind: KindAmbiguous, Status: 504}})
	p := e.approved(t, "x", "old")
	if err := e.publishJob(t, pubs, PublishOptions{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(25 * time.Hour)
	rec := NewReconcileJob(e.rdb, testPrefix, e.store, e.nets, pubs, ReconcileOptions{Now: e.clock.Now, Logger: quietLog()})
	if err := rec.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, p.ID); got.State != content.StateUnknown {
		t.Errorf("post claimed 25h ago: %s, want left unknown for a person", got.State)
	}
}

// lateNet lists the posts it created only from a time on, as a network that
// answered 5xx may show the post hours later.
type lateNet struct {
	*fakeNet
	visibleFrom time.Time
	now         func() time.Time
	finds       int
}

func (n *lateNet) FindRecent(ctx context.Context, text string, since time.Time) (Receipt, bool, error) {
	n.finds++
	if n.now().Before(n.visibleFrom) {
		return Receipt{}, false, nil
	}
	return n.fakeNet.FindRecent(ctx, text, since)
}

// TestReconcileKeepsLookingADay: a post the network lists only 20 hours
// after an ambiguous answer is still found, with a dozen looks in the day,
// not one per run; past the day it is left to a person.
func TestReconcileKeepsLookingADay(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	start := e.clock.Now()
	net := &lateNet{fakeNet: newFakeNet("x", e.clock.Now), visibleFrom: start.Add(20 * time.Hour), now: e.clock.Now}
	pubs := map[string]Publisher{"x": net}
	net.fail(failure{created: true, err: &Error{Kind: KindAmbiguous, Status: 502}})
	p := e.approved(t, "x", "late")
	if err := e.publishJob(t, pubs, PublishOptions{}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	rec := NewReconcileJob(e.rdb, testPrefix, e.store, e.nets, pubs, ReconcileOptions{Now: e.clock.Now, Logger: quietLog()})
	for e.clock.Now().Before(start.Add(24 * time.Hour)) {
		if err := rec.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if e.get(t, p.ID).State == content.StatePublished {
			break
		}
		e.clock.Add(5 * time.Minute)
	}
	if got := e.get(t, p.ID); got.State != content.StatePublished {
		t.Fatalf("a post listed 20 h after the attempt: %s, want found within the day", got.State)
	}
	if net.finds < 5 || net.finds > 16 {
		t.Errorf("looked %d times in the day, want about a dozen (backoff)", net.finds)
	}
}

func TestReconcileWait(t *testing.T) {
	prev, total := time.Duration(0), time.Duration(0)
	for try := 1; total < 24*time.Hour; try++ {
		d := reconcileWait(try)
		if d < prev || d > reconcileMaxWait {
			t.Fatalf("try %d: wait %v after %v", try, d, prev)
		}
		prev, total = d, total+d
		if try > 30 {
			t.Fatal("more than 30 looks in a day")
		}
	}
}
