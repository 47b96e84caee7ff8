package bots

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// People move posts in the calendar at the same time (two community
// managers, or one in two tabs, on two replicas), each move allowed by the
// calendar its check read: the store's second check in the same step as the
// move keeps the network's limits whatever the interleaving, and every
// refused move says why and leaves its post where it was.
func TestConcurrentMovesKeepTheLimits(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	limits := map[string]NetworkLimits{"x": {MinSpacing: 30 * time.Minute, DailyCap: 3}}
	var scheds []*Scheduler
	for range 2 {
		r := newEnv(t, redistestNewClient(t), e.clock)
		s, err := NewScheduler(r.store, SchedulerOptions{Networks: limits, Now: e.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	day := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	refused, moved := 0, 0
	for round := range 40 {
		// Eight approved posts, unplaced; eight people each move one to a
		// time 10 minutes from the next one's, on the same day.
		var posts []content.Post
		for i := range 8 {
			p, _, err := e.store.Create(ctx, content.Draft{DedupKey: fmt.Sprint(round, "-", i), Kind: content.KindManual, Network: "x",
				Text: fmt.Sprint("post ", round, " ", i), Actor: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if p, err = e.store.Approve(ctx, p.ID, "ann"); err != nil {
				t.Fatal(err)
			}
			posts = append(posts, p)
		}
		base := day.Add(time.Duration(round)*24*time.Hour + 12*time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i, p := range posts {
			wg.Go(func() {
				at := base.Add(time.Duration(i) * 10 * time.Minute)
				v, got, err := scheds[i%2].Move(ctx, p, at, fmt.Sprint("cm", i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case v.OK():
					moved++
					if !got.ScheduledAt.Equal(at) {
						t.Errorf("an allowed move left the post at %v, want %v", got.ScheduledAt, at)
					}
				default:
					refused++
					if v.Rule != SlotMinSpacing && v.Rule != SlotDailyCap {
						t.Errorf("refused for %q", v.Rule)
					}
					if cur := e.get(t, p.ID); !cur.ScheduledAt.IsZero() {
						t.Errorf("a refused move placed the post at %v", cur.ScheduledAt)
					}
				}
			})
		}
		wg.Wait()
		times, err := e.store.SlotTimes(ctx, "x", base.Add(-12*time.Hour), base.Add(12*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		if len(times) == 0 || len(times) > 3 {
			t.Errorf("round %d: %d posts on a day capped at 3", round, len(times))
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < 30*time.Minute {
				t.Errorf("round %d: two posts %v apart, under the 30m spacing", round, gap)
			}
		}
	}
	if moved == 0 || refused == 0 {
		t.Errorf("%d moved, %d refused: the race was not exercised", moved, refused)
	}
	t.Logf("%d moves allowed, %d refused over 40 rounds of 8 concurrent moves", moved, refused)

	// A post moved by a few minutes does not crowd itself; a past time is
	// refused with its rule and changes nothing.
	p, _, err := e.store.Create(ctx, content.Draft{DedupKey: "alone", Kind: content.KindManual, Network: "x", Text: "alone", Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	free := day.Add(100 * 24 * time.Hour).Add(9 * time.Hour)
	for _, at := range []time.Time{free, free.Add(5 * time.Minute)} {
		v, got, err := scheds[0].Move(ctx, p, at, "cm")
		if err != nil || !v.OK() || !got.ScheduledAt.Equal(at) {
			t.Fatalf("move to %v: %+v, %v, %v", at, v, got.ScheduledAt, err)
		}
		p = got
	}
	if v, got, err := scheds[0].Move(ctx, p, e.clock.Now().Add(-time.Minute), "cm"); err != nil || v.Rule != SlotPast || !got.ScheduledAt.Equal(free.Add(5*time.Minute)) {
		t.Errorf("move to the past: %+v, %v, %v", v, got.ScheduledAt, err)
	}
}
