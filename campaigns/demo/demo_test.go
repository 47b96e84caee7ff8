package demo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

var start = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// firsts records, per milestone name, the earliest demo second at which some
// campaign reached it, judging as the tracker would: percentages and backer
// counts from the snapshots, "hours left" from the real clock and deadline.
type firsts map[string]float64

func (f firsts) see(name string, sec float64) {
	if _, ok := f[name]; !ok {
		f[name] = sec
	}
}

func simulate(t *testing.T, src *Source, seconds int) (firsts, map[string][]campaigns.Campaign) {
	t.Helper()
	got := firsts{}
	history := map[string][]campaigns.Campaign{}
	seenAt := map[string]time.Time{}
	for sec := 0; sec <= seconds; sec++ {
		now := start.Add(time.Duration(sec) * time.Second)
		for _, c := range src.Snapshots(now) {
			if err := c.Validate(); err != nil {
				t.Fatalf("t=%ds %s: invalid snapshot: %v", sec, c.ID, err)
			}
			if c.LaunchedAt.After(now) {
				t.Fatalf("t=%ds %s: listed before its launch %v", sec, c.ID, c.LaunchedAt)
			}
			if _, ok := seenAt[c.ID]; !ok {
				seenAt[c.ID] = now
				if now.Sub(c.LaunchedAt) < time.Minute && sec > 0 {
					got.see("launch", float64(sec))
				}
				// What is already true on first sight is a baseline, not news.
			} else {
				left := c.Deadline.Sub(now)
				if left <= 72*time.Hour && c.Deadline.Sub(seenAt[c.ID]) > 72*time.Hour {
					got.see("ending:72h", float64(sec))
				}
				if left <= 24*time.Hour && c.Deadline.Sub(seenAt[c.ID]) > 24*time.Hour {
					got.see("ending:24h", float64(sec))
				}
				prev := history[c.ID][len(history[c.ID])-1]
				for _, pct := range []int64{25, 50, 100} {
					if prev.Percent() < pct && c.Percent() >= pct {
						got.see(fmt.Sprintf("percent:%d", pct), float64(sec))
					}
				}
				for _, n := range []int64{100, 1000} {
					if prev.Backers < n && c.Backers >= n {
						got.see(fmt.Sprintf("backers:%d", n), float64(sec))
					}
				}
				for _, g := range c.StretchGoals {
					if prev.Pledged < g.Amount && c.Pledged >= g.Amount {
						got.see("stretch", float64(sec))
					}
				}
				if prev.State != c.State {
					got.see("ended:"+string(c.State), float64(sec))
				}
			}
			history[c.ID] = append(history[c.ID], c)
		}
	}
	return got, history
}

func TestDemoPlaysOutWithinAMinute(t *testing.T) {
	for _, seed := range []int64{0, 1, 42, 2026} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			src := NewSource(Options{Start: start, Seed: seed, Now: func() time.Time { return start }})
			got, history := simulate(t, src, 240)
			if len(history) != len(catalog) {
				t.Errorf("%d campaigns appeared, want %d", len(history), len(catalog))
			}
			for _, m := range []string{"launch", "percent:25", "percent:50", "percent:100", "backers:100",
				"backers:1000", "stretch", "ending:72h", "ending:24h", "ended:successful", "ended:failed"} {
				sec, ok := got[m]
				switch {
				case !ok:
					t.Errorf("%s never happened in 240 s", m)
				case sec > 75:
					t.Errorf("%s first happened at %vs, want within about a minute", m, sec)
				}
			}
			refunds := 0
			for id, h := range history {
				for i := 1; i < len(h); i++ {
					if h[i].Pledged < h[i-1].Pledged {
						refunds++
						if h[i].Backers >= h[i-1].Backers {
							t.Errorf("%s: refund without losing backers", id)
						}
					}
					if h[i].UpdatedAt.Before(h[i-1].UpdatedAt) {
						t.Errorf("%s: UpdatedAt went back", id)
					}
				}
				last := h[len(h)-1]
				if last.State.Ended() && !last.UpdatedAt.Equal(last.Deadline) {
					t.Errorf("%s ended: UpdatedAt = %v, want the deadline so replays are stale", id, last.UpdatedAt)
				}
			}
			if refunds != 1 {
				t.Errorf("%d pledge decreases, want exactly one small refund", refunds)
			}
		})
	}
}

func TestSnapshotsDeterministic(t *testing.T) {
	at := start.Add(37 * time.Second)
	a := NewSource(Options{Start: start, Seed: 7}).Snapshots(at)
	b := NewSource(Options{Start: start, Seed: 7}).Snapshots(at)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed and time gave different snapshots")
	}
	c := NewSource(Options{Start: start, Seed: 8}).Snapshots(at)
	if reflect.DeepEqual(a, c) {
		t.Error("seed has no effect")
	}
}

func TestSpeedMapsDeadlinesToRealTime(t *testing.T) {
	src := NewSource(Options{Start: start, Speed: 86400}) // a simulated day per real second
	for _, c := range src.Snapshots(start.Add(time.Hour)) {
		d := c.Deadline.Sub(c.LaunchedAt)
		if c.ID == "demo-ceramique-nomade" || c.ID == "demo-pixel-harbour" {
			if d < 30*24*time.Hour {
				t.Errorf("%s: closing campaign lasts %v in real time, want its full run", c.ID, d)
			}
			continue
		}
		if d > time.Minute {
			t.Errorf("%s lasts %v in real time at one day per second", c.ID, d)
		}
	}
}

type recorder struct {
	mu    sync.Mutex
	calls [][]campaigns.Campaign
	err   error
}

func (r *recorder) Ingest(_ context.Context, s []campaigns.Campaign) (campaigns.IngestResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return campaigns.IngestResult{Accepted: len(s)}, r.err
}

func TestJob(t *testing.T) {
	now := start.Add(-60 * 24 * time.Hour) // before any launch: nothing to send
	src := NewSource(Options{Start: start, Now: func() time.Time { return now }})
	rec := &recorder{}
	job := src.Job(rec)
	if err := job(t.Context()); err != nil || len(rec.calls) != 0 {
		t.Fatalf("before launch: err %v, %d calls", err, len(rec.calls))
	}
	now = start.Add(10 * time.Second)
	if err := job(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 1 || !reflect.DeepEqual(rec.calls[0], src.Snapshots(now)) {
		t.Errorf("job sent %v, want the snapshots at now", rec.calls)
	}
	rec.err = errors.New("redis down")
	if err := job(t.Context()); !errors.Is(err, rec.err) {
		t.Errorf("err = %v, want wrapped ingester error", err)
	}
}
