package content

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkCreate measures drafts stored per second (one Lua call each, plus
// the read back).
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	s, _ := newBenchStore(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := s.Create(ctx, draft(fmt.Sprint("b", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkClaimComplete measures the publishing path's Redis cost per post:
// claim then complete.
func BenchmarkClaimComplete(b *testing.B) {
	ctx := context.Background()
	s, c := newBenchStore(b)
	ids := make([]string, 0, 4096)
	for i := range cap(ids) {
		p, _, err := s.Create(ctx, draft(fmt.Sprint("c", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Approve(ctx, p.ID, "ann"); err != nil {
			b.Fatal(err)
		}
		if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		if i >= len(ids) {
			b.StopTimer()
			b.Skipf("ran out of %d prepared posts; use a smaller -benchtime", len(ids))
		}
		if _, err := s.Claim(ctx, ids[i], "a", time.Minute); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Complete(ctx, ids[i], "a", Outcome{State: StatePublished, ExternalID: "1"}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "posts/s")
}

func newBenchStore(b *testing.B) (*Store, *clock) {
	b.Helper()
	c := newClock()
	s, err := NewStore(redistestClient(b), "bench", StoreOptions{Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	return s, c
}
