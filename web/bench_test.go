package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
	"github.com/fanfarehq/fanfare/internal/redistest"
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

// BenchmarkShortLinkRedirect answers GET /r/{code} through the server's
// whole handler (routing, security headers, the client's address) over
// impact.Links counting in Redis, from parallel clients, as people (a few
// hundred addresses, two browsers) and as robots (one request in ten); it
// reports the rate and the 99th percentile of one answer, and checks every
// person's click was counted. Goal: 20,000 redirects/s on the test machine.
func BenchmarkShortLinkRedirect(b *testing.B) {
	ctx := context.Background()
	rdb := redisForBench(b)
	now := func() time.Time { return time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC) }
	links, err := impact.NewLinks(rdb, "bench", impact.LinkOptions{PublicURL: "https://fan.example", Now: now})
	if err != nil {
		b.Fatal(err)
	}
	var paths, ids []string
	for i := range 100 {
		id := fmt.Sprintf("POST%03d", i)
		link, err := links.Link(ctx, id, "x", content.KindMilestone, "https://platform.example/p/1")
		if err != nil {
			b.Fatal(err)
		}
		ids, paths = append(ids, id), append(paths, strings.TrimPrefix(link, "https://fan.example"))
	}
	s, err := New(Options{Queue: newFakeQueue(now), Campaigns: newFakeCampaigns(), Redis: rdb, Now: now, ShortLinks: links})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- links.Run(runCtx) }()
	var mu sync.Mutex
	var all []time.Duration
	var people atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		i := 0
		for pb.Next() {
			i++
			req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
			req.RemoteAddr = fmt.Sprintf("203.0.113.%d:40000", i%250)
			switch {
			case i%10 == 0:
				req.Header.Set("User-Agent", "Twitterbot/1.0")
			case i%2 == 1:
				req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1")
				people.Add(1)
			default:
				req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36")
				people.Add(1)
			}
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, req)
			lat = append(lat, time.Since(t0))
			if w.Code != http.StatusFound {
				b.Errorf("status %d", w.Code)
				return
			}
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	got, err := links.Clicks(ctx, ids)
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, c := range got {
		total += c.Clicks
	}
	if total != people.Load() {
		b.Fatalf("%d clicks counted, %d people's requests made", total, people.Load())
	}
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "redirects/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
	}
}
