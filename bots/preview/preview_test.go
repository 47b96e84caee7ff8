package preview

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }

func TestPublishFindEngagement(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	p := New("x", redistest.Client(t), "test", Options{PublicURL: "https://fanfare.example/", Now: func() time.Time { return now }})
	if p.Network() != "x" {
		t.Errorf("Network() = %q, want the real network", p.Network())
	}
	r, err := p.Publish(ctx, bots.Message{PostID: "01ABC", Text: "Funded!"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "preview-1" || r.URL != "https://fanfare.example/posts/01ABC" || !r.PublishedAt.Equal(now) {
		t.Errorf("receipt %+v", r)
	}
	r2, _ := p.Publish(ctx, bots.Message{PostID: "01ABD", Text: "Half way"})
	if r2.ID != "preview-2" {
		t.Errorf("second id %q", r2.ID)
	}
	got, found, err := p.FindRecent(ctx, "Funded!", now.Add(-time.Minute))
	if err != nil || !found || got.ID != "preview-1" {
		t.Errorf("FindRecent = %+v %v %v", got, found, err)
	}
	if _, found, _ := p.FindRecent(ctx, "Funded!", now.Add(time.Minute)); found {
		t.Error("FindRecent found a post older than since")
	}
	if _, found, _ := p.FindRecent(ctx, "never sent", now.Add(-time.Hour)); found {
		t.Error("FindRecent found a text never sent")
	}
	e1, _ := p.Engagement(ctx, []string{"preview-1", "preview-2", "1234"})
	e2, _ := p.Engagement(ctx, []string{"preview-1"})
	if len(e1) != 2 || e1["preview-1"] != e2["preview-1"] || e1["preview-1"].Impressions < 200 {
		t.Errorf("engagement %+v then %+v: want deterministic numbers for our ids only", e1, e2)
	}
}

// TestPublishJobWithPreview checks that a preview network ends posts published
// like a real one.
func TestPublishJobWithPreview(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store, err := content.NewStore(rdb, "test", content.StoreOptions{Now: clock, AutoApprove: []string{"milestone"}})
	if err != nil {
		t.Fatal(err)
	}
	post, _, err := store.Create(ctx, content.Draft{DedupKey: "k", Kind: content.KindMilestone, Network: "facebook", Text: "Funded!", Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	pub := New("facebook", rdb, "test", Options{PublicURL: "https://fanfare.example", Now: clock})
	nets := bots.NewNetworks(rdb, "test", []bots.NetworkConfig{{Name: "facebook", Enabled: true, Preview: true}}, clock)
	sched, err := bots.NewScheduler(store, bots.SchedulerOptions{Networks: map[string]bots.NetworkLimits{"facebook": {}}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	j, err := bots.NewPublishJob(store, nets, sched, map[string]bots.Publisher{"facebook": pub},
		bots.PublishOptions{Now: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != content.StatePublished || got.ExternalID != "preview-1" || got.ExternalURL != "https://fanfare.example/posts/"+post.ID {
		t.Errorf("post %s id %q url %q", got.State, got.ExternalID, got.ExternalURL)
	}
	recs, _ := pub.Recorded(ctx)
	if len(recs) != 1 || recs[0].PostID != post.ID {
		t.Errorf("recorded %+v", recs)
	}
}
