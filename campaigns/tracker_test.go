package campaigns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// clock is a settable time source shared by a test's trackers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func newTestTracker(t testing.TB, rdb redis.UniversalClient, clk *clock) *Tracker {
	t.Helper()
	tr, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{Now: clk.Now, Logger: slog.New(slog.DiscardHandler), BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func ingest(t testing.TB, tr *Tracker, cs ...Campaign) IngestResult {
	t.Helper()
	res, err := tr.Ingest(context.Background(), cs)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return res
}

func at(c Campaign, ts time.Time) Campaign { c.UpdatedAt = ts; return c }

func withID(id string) func(*Campaign) {
	return func(c *Campaign) { c.ID = id; c.URL = "https://example.com/p/" + id }
}

func milestones(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	sort.Strings(out)
	return out
}

func streamIDs(t testing.TB, rdb redis.UniversalClient, key string) []string {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Values["id"].(string))
	}
	return out
}

func TestTrackerFiresEachMilestoneOnceAcrossTrackers(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	const n, steps = 12, 15
	// Step k moves every campaign forward; step 7 also refunds. Updates are
	// stamped in order, as a platform would.
	batches := make([][]Campaign, steps)
	for k := range steps {
		for i := range n {
			p := int64(k) * int64(9000+1000*i)
			if k == 7 {
				p /= 3
			}
			c := snap(withID(fmt.Sprintf("c%02d", i)), launched(time.Hour), pledged(p), backers(int64(k*k*(i+1))), left(time.Duration(100-6*k)*time.Hour))
			batches[k] = append(batches[k], at(c, ruleNow.Add(time.Duration(k)*time.Second)))
		}
	}
	// What one tracker alone must post.
	var want []string
	var seq Rules
	fired := map[string]map[Milestone]bool{}
	for _, b := range batches {
		for _, c := range b {
			f := fired[c.ID]
			if f == nil {
				f = map[Milestone]bool{}
				fired[c.ID] = f
			}
			var prev *Campaign
			if len(f) > 0 {
				prev = &c
			}
			ev := seq.Evaluate(prev, c, f, ruleNow)
			for _, m := range ev.Post {
				want = append(want, EventID(c.ID, m))
				f[m] = true
			}
			for _, m := range ev.Record {
				f[m] = true
			}
		}
	}
	sort.Strings(want)
	if len(want) < 3*n {
		t.Fatalf("fixture posts only %d milestones; it should exercise more", len(want))
	}

	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got []Event
	)
	for r := range 3 {
		tr := newTestTracker(t, redistest.NewClient(t), clk)
		wg.Go(func() {
			for k, b := range batches {
				// Trackers see the updates in different groupings.
				parts := [][]Campaign{b}
				if (r+k)%2 == 1 {
					parts = [][]Campaign{b[:n/2], b[n/2:]}
				}
				for _, p := range parts {
					res, err := tr.Ingest(context.Background(), p)
					if err != nil {
						t.Errorf("tracker %d: %v", r, err)
						return
					}
					mu.Lock()
					got = append(got, res.Fired...)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if g := milestones(got); !slices.Equal(g, want) {
		t.Errorf("trackers fired %d events:\n%v\nwant %d:\n%v", len(g), g, len(want), want)
	}
	stream := streamIDs(t, rdb, "{test}:events")
	sort.Strings(stream)
	if !slices.Equal(stream, want) {
		t.Errorf("stream holds %d events, want %d", len(stream), len(want))
	}
}

func TestTrackerSameBatchSequence(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	c := snap(launched(time.Hour))
	res := ingest(t, tr,
		at(c, ruleNow.Add(-3*time.Minute)),
		at(snap(launched(time.Hour), pledged(30000)), ruleNow.Add(-2*time.Minute)),
		at(snap(launched(time.Hour), pledged(80000)), ruleNow.Add(-time.Minute)),
		at(snap(launched(time.Hour), pledged(10)), ruleNow.Add(-150*time.Second)), // late
	)
	if res.Accepted != 3 || res.Stale != 1 {
		t.Errorf("accepted %d stale %d, want 3 and 1", res.Accepted, res.Stale)
	}
	want := []string{"c1/launch", "c1/percent:25", "c1/percent:75"}
	if g := milestones(res.Fired); !slices.Equal(g, want) {
		t.Errorf("fired %v, want %v", g, want)
	}
	got, _, err := tr.Get(context.Background(), "c1")
	if err != nil || got.Pledged != 80000 {
		t.Errorf("Get = %d, %v; want pledged 80000", got.Pledged, err)
	}
}

func TestTrackerFirstImportDoesNotFlood(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	var cs []Campaign
	for i := range 1000 {
		cs = append(cs, snap(withID(fmt.Sprintf("old%d", i)), pledged(160000), backers(300), left(48*time.Hour)))
	}
	res := ingest(t, tr, cs...)
	if res.Accepted != 1000 || len(res.Fired) != 0 {
		t.Fatalf("accepted %d, fired %d; want 1000 and 0", res.Accepted, len(res.Fired))
	}
	// launch, percent 25..150, backers 10..250, stretch 0 and 1, ending 72h.
	if want := 1000 * 13; res.Recorded != want {
		t.Errorf("recorded %d, want %d", res.Recorded, want)
	}
	if n := rdb.XLen(context.Background(), "{test}:events").Val(); n != 0 {
		t.Errorf("stream holds %d events after the first import, want 0", n)
	}
	fired, err := tr.Fired(context.Background(), "old7")
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(fired, func(f FiredMilestone) bool { return f.Milestone == "percent:100" }); i < 0 || fired[i].Posted || !fired[i].At.Equal(ruleNow) {
		t.Errorf("percent:100 not recorded silently at %v: %+v", ruleNow, fired)
	}

	// The baseline is not inert: the next moves are posted.
	clk.Set(ruleNow.Add(25 * time.Hour))
	res = ingest(t, tr, snap(withID("old7"), pledged(210000), backers(300), left(48*time.Hour)))
	if g, want := milestones(res.Fired), []string{"old7/ending:24h", "old7/percent:200"}; !slices.Equal(g, want) {
		t.Errorf("fired %v, want %v", g, want)
	}
}

func TestTrackerStaleSnapshotIgnored(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	newer := at(snap(launched(time.Hour), pledged(50000)), ruleNow)
	ingest(t, tr, newer)
	res := ingest(t, tr, at(snap(launched(time.Hour), pledged(90000)), ruleNow.Add(-time.Minute)))
	if res.Stale != 1 || res.Accepted != 0 || len(res.Fired) != 0 || res.Recorded != 0 {
		t.Errorf("older snapshot: %+v, want only Stale 1", res)
	}
	res = ingest(t, tr, newer) // replay
	if res.Stale != 1 || len(res.Fired) != 0 {
		t.Errorf("replay: %+v, want only Stale 1", res)
	}
	got, _, err := tr.Get(context.Background(), "c1")
	if err != nil || got.Pledged != 50000 {
		t.Errorf("Get = %d, %v; the newer snapshot must stay", got.Pledged, err)
	}
}

func TestTrackerRejectsInvalidWithoutBlocking(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	bad := snap(withID("bad"))
	bad.Goal = 0
	res := ingest(t, tr, snap(withID("a")), bad, snap(withID("b")))
	if res.Accepted != 2 || len(res.Rejected) != 1 || res.Rejected[0].ID != "bad" {
		t.Fatalf("result %+v, want 2 accepted and bad rejected", res)
	}
	var fe *FieldError
	if !errors.As(res.Rejected[0].Err, &fe) || fe.Field != "goal" {
		t.Errorf("rejection %v, want a FieldError on goal", res.Rejected[0].Err)
	}
	if _, _, err := tr.Get(context.Background(), "bad"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(bad) = %v, want ErrNotFound", err)
	}
	for _, id := range []string{"a", "b"} {
		if _, _, err := tr.Get(context.Background(), id); err != nil {
			t.Errorf("Get(%s): %v", id, err)
		}
	}
}

func TestTrackerRejectsFutureUpdatedAt(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	res := ingest(t, tr, at(snap(), ruleNow.Add(time.Hour)), at(snap(withID("ok")), ruleNow.Add(time.Minute)))
	var fe *FieldError
	if len(res.Rejected) != 1 || !errors.As(res.Rejected[0].Err, &fe) || fe.Field != "updated_at" || res.Accepted != 1 {
		t.Errorf("result %+v, want c1 rejected on updated_at and ok accepted", res)
	}
}

func TestTrackerZeroUpdatedAtIsNow(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr, snap(pledged(1)))
	clk.Set(ruleNow.Add(time.Second))
	res := ingest(t, tr, snap(pledged(2)))
	if res.Accepted != 1 {
		t.Errorf("second undated snapshot: %+v, want accepted", res)
	}
	got, _, _ := tr.Get(context.Background(), "c1")
	if !got.UpdatedAt.Equal(ruleNow.Add(time.Second)) || got.Pledged != 2 {
		t.Errorf("stored %v %d, want updated_at %v pledged 2", got.UpdatedAt, got.Pledged, ruleNow.Add(time.Second))
	}
}

func TestTrackerEndedCampaigns(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr,
		snap(withID("win"), pledged(90000), left(10*24*time.Hour)),
		snap(withID("lose"), pledged(1000), left(2*24*time.Hour)),
		snap(withID("soon"), left(24*time.Hour)),
		snap(withID("later"), left(30*24*time.Hour)),
	)
	clk.Set(ruleNow.Add(time.Hour))
	res := ingest(t, tr,
		snap(withID("win"), pledged(120000), state(StateSuccessful), left(10*24*time.Hour)),
		snap(withID("lose"), pledged(1000), state(StateFailed), left(2*24*time.Hour)),
	)
	if g, want := milestones(res.Fired), []string{"win/ended:successful"}; !slices.Equal(g, want) {
		t.Errorf("fired %v, want %v", g, want)
	}
	for _, k := range []string{"{test}:campaign:win", "{test}:fired:win", "{test}:history:win", "{test}:campaign:lose"} {
		ttl := rdb.TTL(ctx, k).Val()
		if ttl <= 29*24*time.Hour || ttl > DefaultEndedTTL {
			t.Errorf("TTL of %s = %v, want about %v", k, ttl, DefaultEndedTTL)
		}
	}
	if ttl := rdb.TTL(ctx, "{test}:campaign:soon").Val(); ttl != -1 {
		t.Errorf("live campaign has TTL %v", ttl)
	}
	live := rdb.ZRange(ctx, "{test}:campaigns:live", 0, -1).Val()
	if !slices.Equal(live, []string{"soon", "later"}) {
		t.Errorf("live set %v, want [soon later] by deadline", live)
	}

	ids := func(cs []Campaign) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	clk.Set(ruleNow.Add(2 * time.Hour))
	// The failed snapshot, then an older live one: the stale one revives nothing.
	ingest(t, tr, snap(withID("lose"), pledged(1000), state(StateFailed), left(2*24*time.Hour)), at(snap(withID("lose")), ruleNow.Add(time.Hour)))
	for _, tc := range []struct {
		o     ListOptions
		want  []string
		total int
	}{
		{ListOptions{}, []string{"soon", "later", "lose", "win"}, 4},
		{ListOptions{Offset: 1, Limit: 2}, []string{"later", "lose"}, 4},
		{ListOptions{Offset: 3}, []string{"win"}, 4},
		{ListOptions{Offset: 9}, nil, 4},
		{ListOptions{State: StateLive}, []string{"soon", "later"}, 2},
		{ListOptions{State: StateSuccessful}, []string{"win"}, 1},
		{ListOptions{State: StateCanceled}, nil, 0},
	} {
		cs, total, err := tr.List(ctx, tc.o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(cs), tc.want) || total != tc.total {
			t.Errorf("List(%+v) = %v, %d; want %v, %d", tc.o, ids(cs), total, tc.want, tc.total)
		}
	}
	if _, _, err := tr.List(ctx, ListOptions{State: "paused"}); err == nil {
		t.Error("List with an unknown state: no error")
	}

	// Past the TTL the ended campaigns vanish from listings too.
	clk.Set(ruleNow.Add(DefaultEndedTTL + 3*time.Hour))
	for _, k := range []string{"{test}:campaign:win", "{test}:campaign:lose"} {
		rdb.Del(ctx, k) // what the expiry will do
	}
	cs, total, err := tr.List(ctx, ListOptions{})
	if err != nil || !slices.Equal(ids(cs), []string{"soon", "later"}) || total != 2 {
		t.Errorf("after expiry List = %v, %d, %v; want [soon later], 2", ids(cs), total, err)
	}
}

func TestTrackerRevivedCampaignLosesTTL(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr, snap(state(StateCanceled)))
	clk.Set(ruleNow.Add(time.Minute))
	ingest(t, tr, snap())
	if ttl := rdb.TTL(ctx, "{test}:campaign:c1").Val(); ttl != -1 {
		t.Errorf("TTL %v after the campaign went live again", ttl)
	}
	if n := rdb.ZCard(ctx, "{test}:campaigns:canceled").Val() + rdb.ZCard(ctx, "{test}:campaigns:ended").Val(); n != 0 {
		t.Errorf("still listed as ended (%d entries)", n)
	}
}

func TestTrackerGetAndFired(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	if _, _, err := tr.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) = %v, want ErrNotFound", err)
	}
	ingest(t, tr, snap(pledged(30000)))
	clk.Set(ruleNow.Add(time.Minute))
	ingest(t, tr, snap(pledged(60000)))
	c, fired, err := tr.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Pledged != 60000 || c.Title != "Bike" || len(c.StretchGoals) != 3 {
		t.Errorf("Get returned %+v", c)
	}
	want := []FiredMilestone{
		{"launch", ruleNow, false},
		{"percent:25", ruleNow, false},
		{"percent:50", ruleNow.Add(time.Minute), true},
	}
	if !slices.Equal(fired, want) {
		t.Errorf("fired %+v, want %+v", fired, want)
	}
}

func TestTrackerConflictIsRetried(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	a := newTestTracker(t, rdb, clk)
	b := newTestTracker(t, redistest.NewClient(t), clk)
	c := func(p int64, ts time.Duration) Campaign {
		return at(snap(launched(time.Hour), pledged(p)), ruleNow.Add(ts))
	}

	res := ingest(t, a, c(10000, 0))
	if g, want := milestones(res.Fired), []string{"c1/launch"}; !slices.Equal(g, want) {
		t.Fatalf("a fired %v, want %v", g, want)
	}
	// b has never seen c1: its guess (new campaign) is refused and it is
	// evaluated against what a stored.
	res = ingest(t, b, c(30000, time.Second))
	if g, want := milestones(res.Fired), []string{"c1/percent:25"}; !slices.Equal(g, want) {
		t.Errorf("b fired %v, want %v", g, want)
	}
	// a still believes the first snapshot is current.
	res = ingest(t, a, c(60000, 2*time.Second))
	if g, want := milestones(res.Fired), []string{"c1/percent:50"}; !slices.Equal(g, want) {
		t.Errorf("a fired %v, want %v", g, want)
	}
	if na, nb := a.conflicts.Load(), b.conflicts.Load(); na != 1 || nb != 1 {
		t.Errorf("conflicts a=%d b=%d, want 1 each", na, nb)
	}
	if g, want := streamIDs(t, rdb, "{test}:events"), []string{"c1/launch", "c1/percent:25", "c1/percent:50"}; !slices.Equal(g, want) {
		t.Errorf("stream %v, want %v", g, want)
	}
	// b is stale now too: its older snapshot is refused without conflict loops.
	if res := ingest(t, b, c(20000, time.Second+time.Millisecond)); res.Stale != 1 {
		t.Errorf("older snapshot via b: %+v, want Stale", res)
	}
}

func TestTrackerWithoutCache(t *testing.T) {
	rdb := redistest.Client(t)
	tr, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{Now: (&clock{t: ruleNow}).Now, Logger: slog.New(slog.DiscardHandler), CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	var fired []string
	for i, p := range []int64{0, 30000, 60000, 60000} {
		res := ingest(t, tr, at(snap(launched(time.Hour), pledged(p)), ruleNow.Add(time.Duration(i)*time.Second)))
		fired = append(fired, milestones(res.Fired)...)
	}
	if want := []string{"c1/launch", "c1/percent:25", "c1/percent:50"}; !slices.Equal(fired, want) {
		t.Errorf("fired %v, want %v", fired, want)
	}
	if n := tr.conflicts.Load(); n != 3 {
		t.Errorf("%d conflicts, want 3 (every update after the first guesses wrong)", n)
	}
}

func TestStateCacheBounded(t *testing.T) {
	c := newStateCache(3)
	for i := range 10 {
		c.put(fmt.Sprint(i), stored{raw: "x"})
		if len(c.m) > 3 {
			t.Fatalf("cache holds %d entries, max 3", len(c.m))
		}
	}
	if c.get("9").raw != "x" {
		t.Error("latest entry missing")
	}
}

func TestTrackerSurvivesScriptFlush(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	ingest(t, tr, snap(withID("a")))
	if err := rdb.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if res := ingest(t, tr, snap(withID("b"))); res.Accepted != 1 {
		t.Errorf("after SCRIPT FLUSH: %+v", res)
	}
}

func TestTrackerHistory(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	h0 := ruleNow.Truncate(time.Hour)
	for i, u := range []struct {
		at      time.Time
		pledged int64
	}{
		{h0.Add(5 * time.Minute), 100},  // replaced by the next in its hour
		{h0.Add(30 * time.Minute), 200}, // last of its hour
		{h0.Add(65 * time.Minute), 300},
		{h0.Add(3*time.Hour + time.Minute), 400},
		{h0.Add(3*time.Hour + 20*time.Minute), 500}, // current
	} {
		clk.Set(u.at)
		if res := ingest(t, tr, at(snap(pledged(u.pledged), backers(int64(i))), u.at)); res.Accepted != 1 {
			t.Fatalf("update %d: %+v", i, res)
		}
	}
	got, err := tr.History(ctx, "c1", h0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{h0.Add(30 * time.Minute), 200, 1},
		{h0.Add(65 * time.Minute), 300, 2},
		{h0.Add(3*time.Hour + 20*time.Minute), 500, 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("History = %+v\nwant %+v", got, want)
	}
	got, _ = tr.History(ctx, "c1", h0.Add(time.Hour))
	if !slices.Equal(got, want[1:]) {
		t.Errorf("History since +1h = %+v, want %+v", got, want[1:])
	}
	if got, err := tr.History(ctx, "none", h0); err != nil || len(got) != 0 {
		t.Errorf("History(none) = %v, %v", got, err)
	}
}

func TestTrackerHistoryRetention(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	start := ruleNow.Add(-100 * 24 * time.Hour)
	for d := 0; d <= 100; d += 10 {
		ts := start.Add(time.Duration(d) * 24 * time.Hour)
		ingest(t, tr, at(snap(launched(101*24*time.Hour), pledged(int64(d))), ts))
	}
	got, err := tr.History(context.Background(), "c1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s.At.Before(ruleNow.Add(-DefaultHistoryRetention)) {
			t.Errorf("sample %v older than the retention is kept", s.At)
		}
	}
	if len(got) != 10 { // days 10..100
		t.Errorf("%d samples, want 10: %+v", len(got), got)
	}
}

func TestTrackerMatchURL(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr, snap(withID("bike")))
	for link, want := range map[string]bool{
		"https://example.com/p/bike":                    true,
		"http://example.com/p/bike/":                    true,
		"https://www.Example.com/p/bike?utm_source=x#a": true,
		"example.com/p/bike":                            true,
		"https://example.com/p/bike/comments":           false,
		"https://example.com/p/bik":                     false,
		"https://other.org/p/bike":                      false,
		"":                                              false,
		"::not a url":                                   false,
	} {
		id, ok, err := tr.MatchURL(ctx, link)
		if err != nil || ok != want || ok && id != "bike" {
			t.Errorf("MatchURL(%q) = %q, %v, %v; want match %v", link, id, ok, err, want)
		}
	}
	// A campaign that moves leaves its old link behind.
	clk.Set(ruleNow.Add(time.Minute))
	moved := snap(withID("bike"))
	moved.URL = "https://example.com/p/bike-2"
	ingest(t, tr, moved)
	if _, ok, _ := tr.MatchURL(ctx, "https://example.com/p/bike"); ok {
		t.Error("old URL still matches after the campaign moved")
	}
	if id, ok, _ := tr.MatchURL(ctx, "https://example.com/p/bike-2/"); !ok || id != "bike" {
		t.Error("new URL does not match")
	}
	if n := rdb.HLen(ctx, "{test}:campaigns:urls").Val(); n != 1 {
		t.Errorf("url index holds %d entries, want 1 (stale one dropped)", n)
	}
}

func TestNewTrackerRejectsBadPrefix(t *testing.T) {
	for _, p := range []string{"a{b", "x:y", "sp ace"} {
		if _, err := NewTracker(nil, p, Rules{}, TrackerOptions{}); err == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
}

// Keys that expire (or are deleted) under a warm cache: the guess is refused
// with "nothing stored" and the snapshot is taken as a first sight.
func TestTrackerCacheOutlivesKeys(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	ingest(t, tr, snap(pledged(30000)))
	rdb.Del(context.Background(), "{test}:campaign:c1", "{test}:fired:c1")
	clk.Set(ruleNow.Add(time.Minute))
	res := ingest(t, tr, snap(pledged(60000)))
	if res.Accepted != 1 || len(res.Fired) != 0 || res.Recorded != 3 || tr.conflicts.Load() != 1 {
		t.Errorf("result %+v after %d conflicts; want a silent first sight (launch, 25, 50) after 1", res, tr.conflicts.Load())
	}
}

// A snapshot the tracker knows to be stale is still checked by Redis, so it
// counts Stale without a conflict, and is stored as a first sight when the
// campaign's keys are gone meanwhile.
func TestTrackerStaleByCache(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	ingest(t, tr, at(snap(pledged(60000)), ruleNow))
	if res := ingest(t, tr, at(snap(pledged(90000)), ruleNow)); res.Stale != 1 || res.Accepted != 0 || tr.conflicts.Load() != 0 {
		t.Errorf("replay: %+v after %d conflicts, want Stale 1 after 0", res, tr.conflicts.Load())
	}
	rdb.Del(context.Background(), "{test}:campaign:c1", "{test}:fired:c1")
	res := ingest(t, tr, at(snap(pledged(30000)), ruleNow.Add(-time.Minute)))
	if res.Accepted != 1 || res.Stale != 0 || len(res.Fired) != 0 || res.Recorded != 2 || tr.conflicts.Load() != 1 {
		t.Errorf("older snapshot after keys expired: %+v after %d conflicts, want a silent first sight (launch, 25) after 1", res, tr.conflicts.Load())
	}
	if got, _, err := tr.Get(context.Background(), "c1"); err != nil || got.Pledged != 30000 {
		t.Errorf("Get = %d, %v, want the snapshot stored", got.Pledged, err)
	}
}
