package impact

import (
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

func TestSeriesHourly(t *testing.T) {
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	s := Series{
		{At: t0, Backers: 10, Pledged: 1000},
		{At: t0.Add(time.Hour), Backers: 14, Pledged: 1400},
		// no sample in the third hour: the fourth spans it
		{At: t0.Add(3 * time.Hour), Backers: 20, Pledged: 2000},
		{At: t0.Add(3*time.Hour + 30*time.Minute), Backers: 19, Pledged: 1900}, // a refund
	}
	backers, pledged := s.hourly(t0.Add(-time.Hour), 6, t0.Add(4*time.Hour))
	// The hour before t0 has no data at its start: left out. Then 4, 0, 6,
	// and the last hour (refund) counts none; the fifth hour is after until.
	want := []float64{4, 0, 6, 0}
	if len(backers) != len(want) {
		t.Fatalf("backers %v, want %v", backers, want)
	}
	for i := range want {
		if backers[i] != want[i] || pledged[i] != 100*want[i] {
			t.Fatalf("backers %v pledged %v, want %v", backers, pledged, want)
		}
	}
}

func TestIsComparable(t *testing.T) {
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	c := campaigns.Campaign{ID: "a", Category: "film", LaunchedAt: t0.Add(-10 * 24 * time.Hour), Deadline: t0.Add(20 * 24 * time.Hour)}
	at := func(id, cat string, launchedDaysAgo, lastsDays int) campaigns.Campaign {
		l := t0.Add(-time.Duration(launchedDaysAgo) * 24 * time.Hour)
		return campaigns.Campaign{ID: id, Category: cat, LaunchedAt: l, Deadline: l.Add(time.Duration(lastsDays) * 24 * time.Hour)}
	}
	for _, tc := range []struct {
		o    campaigns.Campaign
		want bool
	}{
		{at("b", "film", 10, 30), true},  // same stage (1/3)
		{at("c", "film", 4, 12), true},   // 1/3 too, shorter
		{at("d", "film", 20, 30), false}, // 2/3
		{at("e", "music", 10, 30), false},
		{at("a", "film", 10, 30), false}, // itself
		{at("f", "film", 40, 30), false}, // ended
		{at("g", "film", -1, 30), false}, // not launched
		{at("h", "film", 12, 30), true},  // 0.40: within 10 points
		{at("i", "film", 14, 30), false}, // 0.47
	} {
		if got := IsComparable(c, tc.o, t0); got != tc.want {
			t.Errorf("%s (stage %.2f): %v, want %v", tc.o.ID, Stage(tc.o, t0), got, tc.want)
		}
	}
}

func TestEstimateLiftNeedsData(t *testing.T) {
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	// A campaign seen only since the post: no rate before, no estimate.
	s := Series{{At: t0, Backers: 5}, {At: t0.Add(time.Hour), Backers: 9}, {At: t0.Add(2 * time.Hour), Backers: 12}}
	l := EstimateLift("c", t0, t0.Add(2*time.Hour), s, nil, 1)
	if !l.Estimated || len(l.Windows) != 3 {
		t.Fatalf("lift %+v", l)
	}
	for _, w := range l.Windows {
		if w.Own != nil || w.Comparable != nil || w.Backers != 7 || w.ObservedHours != 2 || w.Complete {
			t.Errorf("window %+v: no estimate without a before, 7 backers seen over 2 hours", w)
		}
	}
}
