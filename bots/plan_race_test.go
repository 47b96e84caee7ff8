package bots

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// Two replicas plan the same network at once. Replica B gives the time-bound
// post its slot (now); replica A listed the post as unscheduled before that
// and reads the calendar after: the post's own slot blocks "now", the next
// slot (now + min spacing) is past not_after. A must not expire a post that
// B has just scheduled in time.
func TestConcurrentPlanNeverExpiresAScheduledPost(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	limits := map[string]NetworkLimits{"x": {MinSpacing: 15 * time.Minute}}
	var scheds []*Scheduler
	for range 2 {
		r := newEnv(t, redistestNewClient(t), e.clock)
		s, err := NewScheduler(r.store, SchedulerOptions{Networks: limits, Now: e.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	lost := 0
	for i := range 200 {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: fmt.Sprint("k", i), Kind: content.KindMilestone, Network: "x",
			Milestone: "ending:24h", CampaignID: fmt.Sprint("c", i), Text: fmt.Sprint("24 hours left ", i),
			NotAfter: e.clock.Now().Add(10 * time.Minute), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Go(func() {
				if err := s.PlanNetwork(ctx, "x"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := e.get(t, p.ID)
		if got.State == content.StateExpired {
			lost++
			if lost == 1 {
				for _, a := range got.Audit {
					t.Logf("  %s %s %s->%s %q", a.Actor, a.Action, a.From, a.To, a.Reason)
				}
			}
		}
		// Free the calendar for the next round.
		if got.State == content.StateApproved {
			if _, err := e.store.Reject(ctx, p.ID, "ann", "next round"); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Add(time.Hour)
	}
	if lost > 0 {
		t.Errorf("%d of 200 posts scheduled in time by one replica were expired by the other", lost)
	}
}
