package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestLimiterWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := New()
	ctx := context.Background()
	// First use: one probe goes; its answer says 2 left until 10:15.
	release, _, ok, err := l.Reserve(ctx, "POST /x", clock)
	if !ok || err != nil {
		t.Fatalf("probe refused: %v", err)
	}
	l.Update("POST /x", 2, now.Add(15*time.Minute))
	release()
	for i := range 2 {
		if _, _, ok, _ := l.Reserve(ctx, "POST /x", clock); !ok {
			t.Fatalf("request %d refused with 2 left", i)
		}
	}
	if _, at, ok, _ := l.Reserve(ctx, "POST /x", clock); ok || !at.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("spent window: ok %v retry %v", ok, at)
	}
	// Other endpoints are independent; a rolled-over window probes again.
	if _, _, ok, _ := l.Reserve(ctx, "GET /y", clock); !ok {
		t.Fatal("other endpoint refused")
	}
	now = now.Add(16 * time.Minute)
	if _, _, ok, _ := l.Reserve(ctx, "POST /x", clock); !ok {
		t.Fatal("not reset after the window")
	}
	l.Block("POST /x", now.Add(time.Hour))
	if _, at, ok, _ := l.Reserve(ctx, "POST /x", clock); ok || !at.Equal(now.Add(time.Hour)) {
		t.Fatalf("blocked: ok %v retry %v", ok, at)
	}
}

// TestLimiterProbeHoldsOthers: while the window is unknown, concurrent
// callers wait for the probe's answer and then share what it reports.
func TestLimiterProbeHoldsOthers(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := New()
	release, _, ok, _ := l.Reserve(context.Background(), "e", clock)
	if !ok {
		t.Fatal("probe refused")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, ok, _ := l.Reserve(context.Background(), "e", clock); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	l.Update("e", 3, now.Add(time.Minute))
	release()
	wg.Wait()
	if granted != 3 {
		t.Errorf("%d callers went, want the 3 the probe's answer allows", granted)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l2 := New()
	l2.Reserve(ctx, "e", clock) // the probe, never released
	if _, _, ok, err := l2.Reserve(ctx, "e", clock); ok || err == nil {
		t.Errorf("waiting on a cancelled context: ok %v err %v", ok, err)
	}
}
