package bots

import (
	"context"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// TestHeldPostAuditNotFlooded: a post waiting out a three-hour rate-limit
// hold is not planned again every ten minutes (each plan a pair of audit
// lines): its trail records the slot it had and the one it gets after the
// hold, and it goes out then.
func TestHeldPostAuditNotFlooded(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {}}, Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewPublishJob(e.store, e.nets, sched, map[string]Publisher{"x": net}, PublishOptions{Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	end := e.clock.Now().Add(3 * time.Hour)
	if err := e.nets.Hold(ctx, "x", end); err != nil {
		t.Fatal(err)
	}
	p, _, err := e.store.Create(ctx, content.Draft{DedupKey: "held", Kind: content.KindCurated, Network: "x", Text: "waiting", Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	for e.clock.Now().Before(end.Add(10 * time.Minute)) {
		if err := j.Run(ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * time.Second)
	}
	got := e.get(t, p.ID)
	plans := 0
	for _, a := range got.Audit {
		if a.Action == "schedule" || a.Action == "unschedule" {
			plans++
		}
	}
	if plans > 3 {
		t.Errorf("a post held 3 hours has %d plan lines in its audit trail, want at most 3", plans)
	}
	if got.State != content.StatePublished || got.PublishedAt.Before(end) {
		t.Errorf("after the hold: %s at %v, want published after %v", got.State, got.PublishedAt, end)
	}
}
