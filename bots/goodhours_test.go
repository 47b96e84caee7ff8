package bots

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestParseHourRanges(t *testing.T) {
	got, err := ParseHourRanges([]string{"17:00-21:00", "08:00–10:00", "23:00-24:00"})
	if err != nil {
		t.Fatal(err)
	}
	want := []HourRange{{8 * 60, 10 * 60}, {17 * 60, 21 * 60}, {23 * 60, 24 * 60}}
	if !slices.Equal(got, want) {
		t.Errorf("ParseHourRanges = %v, want %v", got, want)
	}
	for _, bad := range []string{"8-10", "10:00-08:00", "22:00-02:00", "08:00", "25:00-26:00"} {
		if _, err := ParseHourRanges([]string{bad}); err == nil {
			t.Errorf("ParseHourRanges(%q): no error", bad)
		}
	}
	for n, specs := range DefaultGoodHours {
		if _, err := ParseHourRanges(specs); err != nil {
			t.Errorf("DefaultGoodHours[%s]: %v", n, err)
		}
	}
}

// goodHoursEnv schedules one X post at a given hour with the given good
// hours and returns its slot.
func placeAt(t *testing.T, at time.Time, hours []HourRange, notAfter time.Time) content.Post {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, redistest.Client(t), newClock(at))
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {MinSpacing: 10 * time.Minute}},
		GoodHours: map[string][]HourRange{"x": hours}, Location: at.Location(), Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := e.store.Create(ctx, content.Draft{Kind: content.KindMilestone, Network: "x", CampaignID: "c", Milestone: "percent:50",
		Text: "Half way!", NotAfter: notAfter, Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := sched.PlanNetwork(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	return e.get(t, p.ID)
}

func TestGoodHoursPlacement(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	at := func(h, m int) time.Time { return time.Date(2026, 3, 10, h, m, 0, 0, paris) }
	hours := []HourRange{{8 * 60, 10 * 60}, {12 * 60, 14 * 60}, {17 * 60, 21 * 60}}
	for _, tc := range []struct {
		name     string
		now      time.Time
		notAfter time.Time
		want     time.Time
		note     string
	}{
		{"in good hours: now", at(9, 0), time.Time{}, at(9, 0), "earliest free slot"},
		{"waits for lunch", at(10, 30), time.Time{}, at(12, 0), "good hours 08:00–10:00, 12:00–14:00, 17:00–21:00"},
		{"does not wait more than 3 hours", at(14, 30), time.Time{}, at(17, 0), "good hours"},
		{"too long a wait: the earliest", at(14, 0), at(15, 0), at(14, 0), "earliest free slot"},
		{"waits only half of its freshness", at(10, 30), at(13, 0), at(10, 30), "earliest free slot"},
		{"waits within half of its freshness", at(11, 30), at(13, 30), at(12, 0), "good hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := placeAt(t, tc.now, hours, tc.notAfter)
			if !p.ScheduledAt.Equal(tc.want) || !strings.HasPrefix(p.SlotNote, tc.note) {
				t.Errorf("slot %s (%q), want %s (%q…)", p.ScheduledAt.In(paris).Format("15:04"), p.SlotNote, tc.want.Format("15:04"), tc.note)
			}
		})
	}
	t.Run("without good hours", func(t *testing.T) {
		if p := placeAt(t, at(10, 30), nil, time.Time{}); !p.ScheduledAt.Equal(at(10, 30)) {
			t.Errorf("slot %s, want now", p.ScheduledAt.In(paris))
		}
	})
}

// learnStore publishes posts at given hours and records their engagement.
func TestLearnedGoodHours(t *testing.T) {
	ctx := context.Background()
	paris := mustLoc(t, "Europe/Paris")
	e := newEnv(t, redistestNewClient(t), newClock(time.Date(2026, 3, 1, 0, 0, 0, 0, paris)))
	net := newFakeNet("x", e.clock.Now)
	job := NewEngagementJob(e.rdb, testPrefix, e.store, map[string]Publisher{"x": net}, EngagementOptions{Now: e.clock.Now, Logger: quietLog()})
	// The audience engages at 7, 11 and 19 h: five times as much.
	engaging := map[int]bool{7: true, 11: true, 19: true}
	publish := func(n int, hour int, day int) {
		at := time.Date(2026, 3, 1+day, hour, 5, 0, 0, paris)
		e.clock.Set(at)
		p, _, err := e.store.Create(ctx, content.Draft{Kind: content.KindCurated, Network: "x", Text: fmt.Sprintf("news %d", n), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := e.store.ReserveSlot(ctx, p.ID, at, "now", content.SlotGuard{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Claim(ctx, p.ID, "a", time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Complete(ctx, p.ID, "a", content.Outcome{State: content.StatePublished, ExternalID: fmt.Sprint(n), ExternalURL: "https://x.com/i/1", PublishedAt: at}); err != nil {
			t.Fatal(err)
		}
		likes := int64(10)
		if engaging[hour] {
			likes = 50
		}
		sample := EngagementSample{At: at.Add(time.Hour), Engagement: Engagement{Likes: likes, Impressions: 1000}}
		if err := e.rdb.LPush(ctx, job.k.engagement(p.ID), mustJSON(t, sample)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	// Too little history: not learned.
	for day := range 3 {
		for _, h := range []int{7, 9, 11} {
			publish(n, h, day)
			n++
		}
	}
	if hours, ok, err := job.LearnedGoodHours(ctx, "x", paris); err != nil || ok {
		t.Fatalf("with %d posts: learned %v, %v, %v; want not enough", n, hours, ok, err)
	}
	for day := 3; day < 8; day++ {
		for h := 6; h < 22; h += 2 {
			publish(n, h, day)
			n++
		}
		for _, h := range []int{7, 11, 19} {
			publish(n, h, day)
			n++
		}
	}
	hours, ok, err := job.LearnedGoodHours(ctx, "x", paris)
	if err != nil || !ok {
		t.Fatalf("with %d posts: learned %v, %v", n, ok, err)
	}
	for _, h := range []int{7, 11, 19} {
		if !inRanges(hours, time.Date(2026, 3, 10, h, 30, 0, 0, paris)) {
			t.Errorf("learned hours %v miss %d h", hours, h)
		}
	}
	if inRanges(hours, time.Date(2026, 3, 10, 14, 30, 0, 0, paris)) {
		t.Errorf("learned hours %v include 14 h, a quiet hour for the audience", hours)
	}
	// The scheduler uses what was learned instead of the configured hours.
	sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {}}, Learner: job,
		GoodHours: map[string][]HourRange{"x": {{8 * 60, 10 * 60}}}, Location: paris, Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if got := sched.GoodHours(ctx, "x"); !slices.Equal(got, hours) {
		t.Errorf("scheduler's good hours %v, want the learned %v", got, hours)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
