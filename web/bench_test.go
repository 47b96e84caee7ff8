package web

import (
	"fmt"
	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/redis/go-redis/v9"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// BenchmarkQueuePage renders the queue's first page with 500 pending posts
// (250 events), past any real backlog, straight through the handler (no
// session lookup): every pending post is read to count the filters, 50 are
// shown.
func BenchmarkQueuePage(b *testing.B) {
	now := func() time.Time { return time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC) }
	q := newFakeQueue(now)
	for i := range 250 {
		for _, n := range []string{"x", "facebook"} {
			g := fmt.Sprintf("%d/percent:50", i)
			if _, _, err := q.Create(b.Context(), content.Draft{DedupKey: g, GroupID: g, Kind: content.KindMilestone, Network: n,
				CampaignID: fmt.Sprint(i % 40), Milestone: "percent:50", Lang: "fr",
				Text: "Le projet Lumière est financé à 50 % ! Merci @atelier_lumiere 🎉 https://example.org/p/lumiere?utm_source=x #crowdfunding"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	s, err := New(Options{Queue: q, Campaigns: newFakeCampaigns(), Redis: redisForBench(b), Now: now})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(withIdentity(req.Context(), identity{Name: "alice", Role: RoleManager, Actor: "alice", CSRF: "t"}))
	size := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.queuePage(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(size), "bytes/page")
}

func BenchmarkSparkline(b *testing.B) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	samples := make([]campaigns.Sample, 90*24)
	for i := range samples {
		samples[i] = campaigns.Sample{At: t0.Add(time.Duration(i) * time.Hour), Pledged: int64(i * 1000)}
	}
	for b.Loop() {
		_ = Sparkline(samples, 1_000_000, 320, 64, "pledges")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sparklines/s")
}

func redisForBench(b *testing.B) redis.UniversalClient { return redistest.Client(b) }
