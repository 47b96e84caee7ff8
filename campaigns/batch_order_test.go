package campaigns

import (
	"context"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// Two snapshots of one campaign in one delivery, without updated_at: the
// second (the newer one, in the sender's order) is stored, not counted stale.
func TestSameBatchWithoutUpdatedAtKeepsSenderOrder(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr, snap(launched(72*time.Hour), pledged(10000)))
	clk.Set(ruleNow.Add(time.Second))
	a := snap(launched(72*time.Hour), pledged(40000))
	b := snap(launched(72*time.Hour), pledged(60000)) // crosses 50 %
	res, err := tr.Ingest(context.Background(), []Campaign{a, b})
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := tr.Get(context.Background(), "c1")
	if c.Pledged != 60000 || res.Accepted != 2 || res.Stale != 0 {
		t.Errorf("accepted %d stale %d, stored pledged %d: want both stored and 60000 last", res.Accepted, res.Stale, c.Pledged)
	}
	// Each snapshot is evaluated in turn: 40 % then 60 %.
	if got := milestones(res.Fired); len(got) != 2 || got[0] != "c1/percent:25" || got[1] != "c1/percent:50" {
		t.Errorf("fired %v, want c1/percent:25 then c1/percent:50", got)
	}
}
