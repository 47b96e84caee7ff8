package campaigns

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var ruleNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// snap is a live campaign launched 10 days before ruleNow, 20 days left,
// goal 1,000.00 EUR, nothing pledged.
func snap(mods ...func(*Campaign)) Campaign {
	c := Campaign{
		ID: "c1", Title: "Bike", URL: "https://example.com/p/bike", Lang: "en", Currency: "EUR",
		Goal: 100000, LaunchedAt: ruleNow.Add(-10 * 24 * time.Hour), Deadline: ruleNow.Add(20 * 24 * time.Hour),
		State: StateLive, Creator: Creator{Name: "Ann"},
		StretchGoals: []StretchGoal{{Amount: 150000, Title: "Color"}, {Amount: 120000, Title: "Bag"}, {Amount: 300000, Title: "Motor"}},
	}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func pledged(p int64) func(*Campaign) { return func(c *Campaign) { c.Pledged = p } }
func backers(n int64) func(*Campaign) { return func(c *Campaign) { c.Backers = n } }
func state(s State) func(*Campaign)   { return func(c *Campaign) { c.State = s } }
func left(d time.Duration) func(*Campaign) {
	return func(c *Campaign) { c.Deadline = ruleNow.Add(d) }
}
func launched(ago time.Duration) func(*Campaign) {
	return func(c *Campaign) { c.LaunchedAt = ruleNow.Add(-ago) }
}

func firedSet(ms ...Milestone) map[Milestone]bool {
	m := make(map[Milestone]bool, len(ms))
	for _, x := range ms {
		m[x] = true
	}
	return m
}

func TestRulesEvaluate(t *testing.T) {
	prev := snap()
	seen := firedSet("launch")
	tests := []struct {
		name      string
		rules     Rules
		prev      *Campaign
		next      Campaign
		fired     map[Milestone]bool
		post, rec []Milestone
	}{
		{
			name: "first sight of an old funded campaign records everything silently",
			next: snap(pledged(160000), backers(120)),
			rec:  []Milestone{"launch", "percent:25", "percent:50", "percent:75", "percent:100", "percent:150", "backers:10", "backers:50", "backers:100", "stretch:1", "stretch:0"},
		},
		{
			name: "first sight within the launch window announces the launch only",
			next: snap(launched(2*time.Hour), pledged(30000), backers(12)),
			post: []Milestone{"launch"},
			rec:  []Milestone{"percent:25", "backers:10"},
		},
		{
			name: "launch exactly at the window edge is not news",
			next: snap(launched(48 * time.Hour)),
			rec:  []Milestone{"launch"},
		},
		{
			name: "not launched yet: nothing",
			next: snap(launched(-time.Hour)),
		},
		{
			name: "first sight with prev known but fired empty is not first sight",
			prev: &prev,
			next: snap(pledged(25000)),
			rec:  []Milestone{"launch"},
			post: []Milestone{"percent:25"},
		},
		{
			name:  "crossing one threshold posts it",
			prev:  &prev,
			next:  snap(pledged(50000)),
			fired: firedSet("launch", "percent:25"),
			post:  []Milestone{"percent:50"},
		},
		{
			name:  "jump across thresholds posts only the highest of each family",
			prev:  &prev,
			next:  snap(pledged(210000), backers(600)),
			fired: seen,
			post:  []Milestone{"percent:200", "backers:500", "stretch:0"},
			rec:   []Milestone{"percent:25", "percent:50", "percent:75", "percent:100", "percent:150", "backers:10", "backers:50", "backers:100", "backers:250", "stretch:1"},
		},
		{
			name:  "stretch goals out of order: highest amount wins",
			prev:  &prev,
			next:  snap(pledged(300000)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75", "percent:100", "percent:150", "percent:200"),
			post:  []Milestone{"percent:300", "stretch:2"},
			rec:   []Milestone{"stretch:1", "stretch:0"},
		},
		{
			name:  "refund below a fired threshold fires nothing",
			prev:  &prev,
			next:  snap(pledged(40000)),
			fired: firedSet("launch", "percent:25", "percent:50"),
		},
		{
			name:  "refund then crossing again fires nothing new",
			prev:  &prev,
			next:  snap(pledged(55000)),
			fired: firedSet("launch", "percent:25", "percent:50"),
		},
		{
			name:  "ending 72h window",
			prev:  &prev,
			next:  snap(left(71 * time.Hour)),
			fired: seen,
			post:  []Milestone{"ending:72h"},
		},
		{
			name:  "ending window boundary is inclusive",
			prev:  &prev,
			next:  snap(left(72 * time.Hour)),
			fired: seen,
			post:  []Milestone{"ending:72h"},
		},
		{
			name:  "outside every ending window",
			prev:  &prev,
			next:  snap(left(72*time.Hour + time.Second)),
			fired: seen,
		},
		{
			name:  "jump into the 24h window records 72h",
			prev:  &prev,
			next:  snap(left(23 * time.Hour)),
			fired: seen,
			post:  []Milestone{"ending:24h"},
			rec:   []Milestone{"ending:72h"},
		},
		{
			name:  "24h after 72h fired",
			prev:  &prev,
			next:  snap(left(10 * time.Hour)),
			fired: firedSet("launch", "ending:72h"),
			post:  []Milestone{"ending:24h"},
		},
		{
			name:  "deadline passed, still live and funded: ended:successful only",
			prev:  &prev,
			next:  snap(left(-time.Minute), pledged(120000)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75"),
			post:  []Milestone{"ended:successful"},
			rec:   []Milestone{"percent:100", "stretch:1"},
		},
		{
			name:  "deadline passed exactly now, not funded: no ending, no success",
			prev:  &prev,
			next:  snap(left(0), pledged(90000)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75"),
		},
		{
			name:  "state successful before deadline",
			prev:  &prev,
			next:  snap(state(StateSuccessful), pledged(100000), left(time.Hour)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75", "percent:100"),
			post:  []Milestone{"ended:successful"},
		},
		{
			name:  "successful fires once",
			prev:  &prev,
			next:  snap(state(StateSuccessful), pledged(100000)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75", "percent:100", "ended:successful"),
		},
		{
			name:  "failed campaign posts nothing, records what it reached",
			prev:  &prev,
			next:  snap(state(StateFailed), pledged(60000), left(time.Hour)),
			fired: seen,
			rec:   []Milestone{"percent:25", "percent:50"},
		},
		{
			name:  "canceled funded campaign is not a success",
			prev:  &prev,
			next:  snap(state(StateCanceled), pledged(200000), left(-time.Hour)),
			fired: firedSet("launch", "percent:25", "percent:50", "percent:75", "percent:100", "percent:150", "percent:200", "stretch:0", "stretch:1"),
		},
		{
			name: "first sight of a successful campaign is silent",
			next: snap(state(StateSuccessful), pledged(100000), left(-time.Hour)),
			rec:  []Milestone{"launch", "percent:25", "percent:50", "percent:75", "percent:100", "ended:successful"},
		},
		{
			name: "first sight at launch of an already ended campaign is silent",
			next: snap(launched(time.Hour), left(-time.Minute), state(StateFailed)),
			rec:  []Milestone{"launch"},
		},
		{
			name:  "custom rules, empty family off",
			rules: Rules{Percent: []int64{10, 90}, Backers: []int64{}, Ending: []time.Duration{30 * time.Minute}},
			prev:  &prev,
			next:  snap(pledged(95000), backers(5000), left(20*time.Minute)),
			fired: seen,
			post:  []Milestone{"percent:90", "ending:30m"},
			rec:   []Milestone{"percent:10"},
		},
		{
			name:  "backers threshold is inclusive",
			prev:  &prev,
			next:  snap(backers(1000)),
			fired: firedSet("launch", "backers:10", "backers:50", "backers:100", "backers:250", "backers:500"),
			post:  []Milestone{"backers:1000"},
		},
		{
			name:  "percent rounds down",
			prev:  &prev,
			next:  snap(pledged(24999)),
			fired: seen,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rules.Evaluate(tt.prev, tt.next, tt.fired, ruleNow)
			if !slices.Equal(got.Post, tt.post) {
				t.Errorf("Post = %q, want %q", got.Post, tt.post)
			}
			if !slices.Equal(got.Record, tt.rec) {
				t.Errorf("Record = %q, want %q", got.Record, tt.rec)
			}
		})
	}
}

// A sequence of updates, fed through the fired set like the tracker does, posts
// each milestone once, whatever the refunds.
func TestRulesSequenceFiresOnce(t *testing.T) {
	var r Rules
	fired := map[Milestone]bool{}
	posted := map[Milestone]int{}
	var prev *Campaign
	seq := []int64{0, 26000, 20000, 26000, 51000, 49000, 80000, 100000, 99000, 101000}
	for i, p := range seq {
		next := snap(launched(time.Hour), pledged(p))
		ev := r.Evaluate(prev, next, fired, ruleNow.Add(time.Duration(i)*time.Minute))
		for _, m := range ev.Post {
			posted[m]++
			fired[m] = true
		}
		for _, m := range ev.Record {
			fired[m] = true
		}
		prev = &next
	}
	want := []Milestone{"launch", "percent:25", "percent:50", "percent:75", "percent:100"}
	for _, m := range want {
		if posted[m] != 1 {
			t.Errorf("%s posted %d times, want 1", m, posted[m])
		}
	}
	if len(posted) != len(want) {
		t.Errorf("posted %v, want exactly %v", posted, want)
	}
}

func TestEndingMilestone(t *testing.T) {
	for d, want := range map[time.Duration]Milestone{
		72 * time.Hour:          "ending:72h",
		24 * time.Hour:          "ending:24h",
		90 * time.Minute:        "ending:90m",
		1500 * time.Millisecond: "ending:1.5s",
	} {
		if got := EndingMilestone(d); got != want {
			t.Errorf("EndingMilestone(%v) = %q, want %q", d, got, want)
		}
	}
}

// FuzzEvaluate checks the invariants every evaluation must keep, whatever the
// numbers: nothing fired is returned again, nothing is both posted and
// recorded, at most one post per family, nothing posted on first sight but a
// recent launch, and nothing but ended:successful posted once ended.
func FuzzEvaluate(f *testing.F) {
	f.Add(int64(50000), int64(120), int64(30), int64(5), uint8(0), uint16(3), true)
	f.Add(int64(400000), int64(20000), int64(-2), int64(40), uint8(1), uint16(0xffff), false)
	f.Add(int64(0), int64(0), int64(1), int64(1), uint8(3), uint16(0), true)
	f.Fuzz(func(t *testing.T, p, b, leftH, launchedH int64, st uint8, firedMask uint16, seen bool) {
		if p < 0 || b < 0 || leftH < -2000 || leftH > 2000 || launchedH < -2000 || launchedH > 2000 {
			t.Skip()
		}
		states := []State{StateLive, StateSuccessful, StateFailed, StateCanceled}
		next := snap(pledged(p), backers(b), left(time.Duration(leftH)*time.Hour), launched(time.Duration(launchedH)*time.Hour), state(states[int(st)%len(states)]))
		all := []Milestone{"launch", "percent:25", "percent:50", "percent:100", "backers:10", "backers:100", "stretch:0", "stretch:1", "ending:72h", "ending:24h", "ended:successful"}
		fired := map[Milestone]bool{}
		for i, m := range all {
			if firedMask&(1<<i) != 0 {
				fired[m] = true
			}
		}
		var prev *Campaign
		if seen {
			prev = &next
		}
		ev := Rules{}.Evaluate(prev, next, fired, ruleNow)
		families := map[string]int{}
		got := map[Milestone]bool{}
		for _, m := range append(slices.Clone(ev.Post), ev.Record...) {
			if fired[m] {
				t.Errorf("%s returned although fired", m)
			}
			if got[m] {
				t.Errorf("%s returned twice", m)
			}
			got[m] = true
		}
		for _, m := range ev.Post {
			fam, _, _ := strings.Cut(string(m), ":")
			if families[fam]++; families[fam] > 1 {
				t.Errorf("two posts in family %s: %v", fam, ev.Post)
			}
			if prev == nil && len(fired) == 0 && m != MilestoneLaunch {
				t.Errorf("first sight posts %s", m)
			}
			if (next.State.Ended() || !ruleNow.Before(next.Deadline)) && m != MilestoneEndedSuccessful {
				t.Errorf("ended campaign posts %s", m)
			}
		}
	})
}
