package impact

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// BenchmarkRedirect follows short links with Redis counting, from parallel
// clients, as people (a few hundred addresses, two browsers) and as robots
// (one request in ten), and reports the rate and the 99th percentile of
// one answer. Goal: 20,000 redirects/s on the test machine. (web's
// BenchmarkShortLinkRedirect measures the same through the HTTP handler.)
func BenchmarkRedirect(b *testing.B) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	l := newTestLinks(b, clock)
	var codes []string
	for i := range 100 {
		link, err := l.Link(ctx, fmt.Sprintf("POST%03d", i), "x", content.KindMilestone, "https://platform.example/p/1")
		if err != nil {
			b.Fatal(err)
		}
		codes = append(codes, strings.TrimPrefix(link, "https://fan.example"+RedirectPath))
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Run(runCtx) }()
	for !l.running.Load() {
		time.Sleep(time.Millisecond)
	}
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
			ua := browserUA
			switch {
			case i%10 == 0:
				ua = "Twitterbot/1.0"
			case i%2 == 1:
				ua = phoneUA
				people.Add(1)
			default:
				people.Add(1)
			}
			v := Visit{Count: true, Addr: fmt.Sprintf("203.0.113.%d", i%250), UserAgent: ua}
			t0 := time.Now()
			_, err := l.Follow(ctx, codes[i%len(codes)], v)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Error(err)
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
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("POST%03d", i)
	}
	got, err := l.Clicks(ctx, ids)
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
