package curator

import (
	"context"
	"testing"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// With the real Redis queue: curated posts are created pending, once, and an
// auto-approved feed's posts come out approved.
func TestRefresh_RealQueue(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	clk := &clock{t: t0}
	q, err := content.NewStore(rdb, "fanfare", content.StoreOptions{
		Now: clk.Now,
		Validate: func(network, s string) error {
			_, err := text.Fit(network, s, "") // refuses what Check refuses
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCurator(rdb, "fanfare", Options{Now: clk.Now, Logger: testLogger(t)}, q, nil)
	plain := serveDoc(t, rss("Plain", rssItem("1", "Crowdfunding in Lyon", "https://news.example.org/1", "", t0)))
	auto := serveDoc(t, rss("Auto", rssItem("1", "Crowdfunding in Paris", "https://news.example.org/2", "", t0)))
	mustAdd(t, c, content.Feed{URL: plain, Keywords: []string{"crowdfunding"}})
	mustAdd(t, c, content.Feed{URL: auto, Keywords: []string{"crowdfunding"}, AutoApprove: true})
	for range 2 {
		rep, err := c.RefreshAll(ctx)
		if err != nil || rep.Failed != 0 {
			t.Fatalf("report %+v, %v", rep, err)
		}
	}
	posts, total, err := q.List(ctx, content.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 {
		t.Fatalf("%d posts; want 4 (2 feeds × 2 networks)", total)
	}
	for _, p := range posts {
		want := content.StatePending
		if p.Source == auto {
			want = content.StateApproved
		}
		if p.State != want || p.Kind != content.KindCurated || p.Priority != 50 {
			t.Errorf("post %+v; want state %s", p, want)
		}
	}
}
