package campaigns

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// TestIngestCapsPosts: a delivery that fires more milestones than the cap
// posts only the cap's worth; the rest are recorded without a post (they
// never post later either) and reported; a poll sharing the cap across its
// pages is capped as a whole.
func TestIngestCapsPosts(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{Now: clk.Now, Logger: slog.New(slog.DiscardHandler), BatchSize: 7, MaxPosts: 5})
	if err != nil {
		t.Fatal(err)
	}
	var first, moved []Campaign
	for i := range 40 {
		first = append(first, snap(withID(fmt.Sprintf("c%d", i)), pledged(10000), backers(5), left(30*24*time.Hour)))
		moved = append(moved, snap(withID(fmt.Sprintf("c%d", i)), pledged(160000), backers(5), left(30*24*time.Hour)))
	}
	// How many posts the moves make without a cap.
	uncapped, err := NewTracker(rdb, "test2", Rules{}, TrackerOptions{Now: clk.Now, Logger: slog.New(slog.DiscardHandler), MaxPosts: -1})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, uncapped, first...)
	ingest(t, tr, first...) // seen: nothing posts
	clk.Set(ruleNow.Add(time.Minute))
	perPage := len(ingest(t, uncapped, moved[:20]...).Fired)
	if perPage <= 5 {
		t.Fatalf("the moves make only %d posts without a cap", perPage)
	}
	res := ingest(t, tr, moved[:20]...)
	if len(res.Fired) != 5 || len(res.Unposted) != perPage-5 {
		t.Fatalf("20 campaigns crossing 150 %%: fired %d, unposted %d; want 5 and %d", len(res.Fired), len(res.Unposted), perPage-5)
	}
	if n := rdb.XLen(context.Background(), "{test}:events").Val(); n != 5 {
		t.Errorf("stream holds %d events, want 5", n)
	}
	fired, err := tr.Fired(context.Background(), res.Unposted[0].Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fired {
		if f.Milestone == res.Unposted[0].Milestone {
			found = !f.Posted
		}
	}
	if !found {
		t.Errorf("unposted %s not recorded as fired without a post: %+v", res.Unposted[0].ID, fired)
	}
	// The next delivery has a cap of its own.
	clk.Set(ruleNow.Add(2 * time.Minute))
	ctx := ShareCap(context.Background())
	var posted, unposted int
	for page := 20; page < 40; page += 5 {
		r, err := tr.Ingest(ctx, moved[page:page+5])
		if err != nil {
			t.Fatal(err)
		}
		posted += len(r.Fired)
		unposted += len(r.Unposted)
	}
	if posted != 5 || posted+unposted != perPage {
		t.Errorf("a poll of 4 pages sharing the cap: posted %d, unposted %d; want 5 and %d", posted, unposted, perPage-5)
	}
}
