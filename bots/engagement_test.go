package bots

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

func TestEngagementSeriesAndSummary(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	pubs := map[string]Publisher{"x": net}
	const n = 150
	for i := range n {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: fmt.Sprint(i), Kind: content.KindMilestone, Network: "x",
			Text: fmt.Sprint("post ", i), Variant: []string{"a", "b"}[i%2], Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := e.store.ReserveSlot(ctx, p.ID, e.clock.Now(), "now", content.SlotGuard{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.publishJob(t, pubs, PublishOptions{MaxPerRun: n}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	eng := NewEngagementJob(e.rdb, testPrefix, e.store, pubs, EngagementOptions{MaxPoints: 3, Now: e.clock.Now, Logger: quietLog()})
	run := func() {
		t.Helper()
		if err := eng.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if len(net.engCalls) != 2 || len(net.engCalls[0]) > 100 || len(net.engCalls[0])+len(net.engCalls[1]) != n {
		t.Fatalf("engagement calls of sizes %d, %d; want batches of at most 100 covering %d", len(net.engCalls[0]), len(net.engCalls[1]), n)
	}
	e.clock.Add(30 * time.Minute)
	run()
	if len(net.engCalls) != 2 {
		t.Errorf("read again within the hour: %d calls", len(net.engCalls))
	}
	for range 4 {
		e.clock.Add(time.Hour)
		run()
	}
	posts, _, _ := e.store.List(ctx, content.ListOptions{State: content.StatePublished, Limit: 1})
	series, err := eng.Series(ctx, posts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 3 {
		t.Fatalf("series of %d points, want the cap 3", len(series))
	}
	if !series[0].At.Before(series[2].At) || series[2].Impressions != 100 {
		t.Errorf("series not oldest first or wrong values: %+v", series)
	}
	latest, err := eng.Latest(ctx, []string{posts[0].ID, "never-read"})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := latest[posts[0].ID]; len(latest) != 1 || !ok || !l.At.Equal(series[2].At) || l.Impressions != series[2].Impressions {
		t.Errorf("latest %+v, want only the newest reading %+v", latest, series[2])
	}
	sum, err := eng.Summary(ctx, e.clock.Now().Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 2 || sum[0].Variant != "a" || sum[0].Posts != n/2 || sum[1].Posts != n/2 || sum[0].AvgImpressions != 100 || sum[0].Kind != "milestone" {
		t.Errorf("summary %+v", sum)
	}
	// Outside the window: no longer read.
	e.clock.Add(8 * 24 * time.Hour)
	calls := len(net.engCalls)
	run()
	if len(net.engCalls) != calls {
		t.Errorf("posts older than the window were read")
	}
}

func TestNetworkStatus(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	fresh, err := e.nets.Pause(ctx, "facebook", "Graph 190: token expired")
	if err != nil || !fresh {
		t.Fatalf("pause: %v %v", fresh, err)
	}
	e.clock.Add(time.Minute)
	if fresh, _ := e.nets.Pause(ctx, "facebook", "still expired"); fresh {
		t.Error("second pause reported as fresh")
	}
	st, err := e.nets.NetworkStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []NetworkStatus{
		{Network: "x", Enabled: true},
		{Network: "facebook", Enabled: true, Preview: true, Paused: true, Reason: "still expired", Since: e.clock.Now().Add(-time.Minute)},
	}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("status\n got %+v\nwant %+v", st, want)
	}
	if was, _ := e.nets.Resume(ctx, "facebook"); !was {
		t.Error("resume of a paused network reported not paused")
	}
	if s, _ := e.nets.Status(ctx, "facebook"); s.Paused {
		t.Error("still paused after resume")
	}
}
