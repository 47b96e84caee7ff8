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
	for range 5 {
		if err := rec.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := e.get(t, there.ID)
	if got.State != content.StatePublished || got.ExternalID == "" || got.Audit[len(got.Audit)-1].Actor != "system:reconcile" {
		t.Errorf("created post: %s id %q audit %+v; want published by system:reconcile", got.State, got.ExternalID, got.Audit[len(got.Audit)-1])
	}
	if p := e.get(t, missing.ID); p.State != content.StateUnknown {
		t.Errorf("missing post: %s, want unknown for a person", p.State)
	}
	tries, _ := e.rdb.Get(ctx, newKeys(testPrefix).reconcileTries(missing.ID)).Int()
	if tries != 3 {
		t.Errorf("looked %d times, want MaxTries 3 then stop", tries)
	}
	if n, _ := e.rdb.Exists(ctx, newKeys(testPrefix).reconcileTries(there.ID)).Result(); n != 0 {
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
