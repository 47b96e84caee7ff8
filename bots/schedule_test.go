package bots

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("time zone %s: %v", name, err)
	}
	return loc
}

func TestNextSlot(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	night := &QuietHours{Start: "22:00", End: "08:00"}
	lunch := &QuietHours{Start: "12:00", End: "14:00"}
	cases := []struct {
		name      string
		taken     []time.Time
		campaign  []time.Time
		after     time.Time
		limits    NetworkLimits
		quiet     *QuietHours
		want      time.Time
		wantNote  string
		wantFound bool
	}{
		{name: "free", after: at("2026-03-10 10:00"), want: at("2026-03-10 10:00"), wantNote: "earliest free slot", wantFound: true},
		{name: "min spacing after an earlier post", taken: []time.Time{at("2026-03-10 14:00")}, after: at("2026-03-10 14:05"),
			limits: NetworkLimits{MinSpacing: 20 * time.Minute}, want: at("2026-03-10 14:20"), wantNote: "min spacing 20m after 14:00 post", wantFound: true},
		{name: "min spacing before a later post", taken: []time.Time{at("2026-03-10 14:10")}, after: at("2026-03-10 14:00"),
			limits: NetworkLimits{MinSpacing: 20 * time.Minute}, want: at("2026-03-10 14:30"), wantNote: "min spacing 20m after 14:10 post", wantFound: true},
		{name: "gap big enough", taken: []time.Time{at("2026-03-10 14:00"), at("2026-03-10 15:00")}, after: at("2026-03-10 14:05"),
			limits: NetworkLimits{MinSpacing: 20 * time.Minute}, want: at("2026-03-10 14:20"), wantFound: true, wantNote: "min spacing"},
		{name: "chain of spacings", taken: []time.Time{at("2026-03-10 14:00"), at("2026-03-10 14:20"), at("2026-03-10 14:40")}, after: at("2026-03-10 14:00"),
			limits: NetworkLimits{MinSpacing: 20 * time.Minute}, want: at("2026-03-10 15:00"), wantFound: true, wantNote: "after 14:40 post"},
		{name: "campaign spacing", campaign: []time.Time{at("2026-03-10 09:30")}, taken: []time.Time{at("2026-03-10 09:30")}, after: at("2026-03-10 10:00"),
			limits: NetworkLimits{MinSpacing: 10 * time.Minute, CampaignSpacing: 2 * time.Hour}, want: at("2026-03-10 11:30"), wantFound: true, wantNote: "campaign spacing 2h after its 09:30 post"},
		{name: "quiet hours wrap midnight, evening", after: at("2026-03-10 23:10"), quiet: night, want: at("2026-03-11 08:00"), wantFound: true, wantNote: "quiet hours until 08:00 Europe/Paris"},
		{name: "quiet hours wrap midnight, early morning", after: at("2026-03-11 03:00"), quiet: night, want: at("2026-03-11 08:00"), wantFound: true, wantNote: "quiet hours"},
		{name: "quiet hours end is free", after: at("2026-03-11 08:00"), quiet: night, want: at("2026-03-11 08:00"), wantFound: true, wantNote: "earliest"},
		{name: "quiet hours same day", after: at("2026-03-11 12:30"), quiet: lunch, want: at("2026-03-11 14:00"), wantFound: true, wantNote: "quiet hours until 14:00"},
		{name: "spacing pushes into quiet hours", taken: []time.Time{at("2026-03-10 21:50")}, after: at("2026-03-10 21:55"), quiet: night,
			limits: NetworkLimits{MinSpacing: 20 * time.Minute}, want: at("2026-03-11 08:00"), wantFound: true, wantNote: "min spacing 20m after 21:50 post; quiet hours until 08:00"},
		{name: "daily cap", taken: []time.Time{at("2026-03-10 09:00"), at("2026-03-10 10:00")}, after: at("2026-03-10 11:00"),
			limits: NetworkLimits{DailyCap: 2}, want: at("2026-03-11 00:00"), wantFound: true, wantNote: "daily cap 2 reached on 2026-03-10"},
		{name: "daily cap counts the local day", taken: []time.Time{at("2026-03-10 23:30")}, after: at("2026-03-11 00:10"),
			limits: NetworkLimits{DailyCap: 1}, want: at("2026-03-11 00:10"), wantFound: true, wantNote: "earliest"},
		{name: "daily cap then quiet hours", taken: []time.Time{at("2026-03-10 09:00")}, after: at("2026-03-10 11:00"), quiet: night,
			limits: NetworkLimits{DailyCap: 1}, want: at("2026-03-11 08:00"), wantFound: true, wantNote: "daily cap 1 reached on 2026-03-10; quiet hours until 08:00"},
		// 2026-03-29: Paris springs forward at 02:00 to 03:00 (a 23-hour day).
		{name: "DST spring: quiet hours end on wall clock", after: at("2026-03-28 23:00"), quiet: night,
			want: time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), wantFound: true, wantNote: "quiet hours"},
		{name: "DST spring: cap moves to next local midnight", taken: []time.Time{at("2026-03-29 10:00")}, after: at("2026-03-29 12:00"),
			limits: NetworkLimits{DailyCap: 1}, want: time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), wantFound: true, wantNote: "daily cap 1 reached on 2026-03-29"},
		{name: "DST spring: a slot before the change counts for the day", taken: []time.Time{at("2026-03-29 00:30")}, after: at("2026-03-29 12:00"),
			limits: NetworkLimits{DailyCap: 1}, want: time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), wantFound: true, wantNote: "daily cap"},
		// 2026-10-25: Paris falls back at 03:00 to 02:00 (a 25-hour day).
		{name: "DST autumn: cap moves to next local midnight", taken: []time.Time{at("2026-10-25 10:00")}, after: at("2026-10-25 12:00"),
			limits: NetworkLimits{DailyCap: 1}, want: time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC), wantFound: true, wantNote: "daily cap"},
		{name: "DST autumn: quiet hours end on wall clock", after: at("2026-10-24 22:30"), quiet: night,
			want: time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC), wantFound: true, wantNote: "quiet hours"},
		{name: "DST spring: spacing across the gap is real time", taken: []time.Time{time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC)}, // 01:50 CET
			after: time.Date(2026, 3, 29, 0, 55, 0, 0, time.UTC), limits: NetworkLimits{MinSpacing: 20 * time.Minute},
			want: time.Date(2026, 3, 29, 1, 10, 0, 0, time.UTC), wantFound: true, wantNote: "min spacing 20m after 01:50 post"}, // 03:10 CEST
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := parseQuiet(tc.quiet)
			if err != nil {
				t.Fatal(err)
			}
			got, note, ok := nextSlot(tc.taken, tc.campaign, tc.after, tc.limits, q, paris)
			if ok != tc.wantFound {
				t.Fatalf("found = %v, want %v", ok, tc.wantFound)
			}
			if !got.Equal(tc.want) {
				t.Errorf("slot = %s, want %s", got.In(paris), tc.want.In(paris))
			}
			if !strings.Contains(note, tc.wantNote) {
				t.Errorf("note = %q, want it to contain %q", note, tc.wantNote)
			}
		})
	}
}

func TestParseQuietHours(t *testing.T) {
	for _, q := range []QuietHours{{"25:00", "08:00"}, {"22:00", "8h"}, {"08:00", "08:00"}, {"", "08:00"}} {
		if _, err := NewScheduler(nil, SchedulerOptions{QuietHours: &q}); err == nil {
			t.Errorf("quiet hours %+v accepted", q)
		}
	}
}

func TestPlanCapsQuietHoursPriorityAndExpiry(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	paris := mustLoc(t, "Europe/Paris")
	e.clock = newClock(time.Date(2026, 3, 10, 21, 30, 0, 0, paris))
	var err error
	e.store, err = content.NewStore(e.rdb, testPrefix, content.StoreOptions{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := NewScheduler(e.store, SchedulerOptions{
		Networks:   map[string]NetworkLimits{"x": {DailyCap: 2, MinSpacing: 20 * time.Minute}},
		QuietHours: &QuietHours{Start: "22:00", End: "08:00"}, Location: paris, Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(key string, prio int, notAfter time.Time) content.Post {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindMilestone, Network: "x", CampaignID: "c-" + key,
			Text: "post " + key, Priority: prio, NotAfter: notAfter, Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Millisecond)
		return p
	}
	low1 := mk("low1", 50, time.Time{})
	low2 := mk("low2", 50, time.Time{})
	urgent := mk("urgent", 1, time.Date(2026, 3, 11, 0, 0, 0, 0, paris))
	doomed := mk("doomed", 60, time.Date(2026, 3, 11, 7, 0, 0, 0, paris))
	if err := sched.PlanNetwork(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		state content.State
		slot  string
		note  string
	}{
		urgent.ID: {content.StateApproved, "2026-03-10 21:30", "earliest free slot"},
		doomed.ID: {content.StateExpired, "", "no slot before not_after 2026-03-11 07:00"},
		low1.ID:   {content.StateApproved, "2026-03-10 21:50", "min spacing 20m after 21:30 post"},
		low2.ID:   {content.StateApproved, "2026-03-11 08:00", "daily cap 2 reached on 2026-03-10; quiet hours until 08:00 Europe/Paris"},
	}
	for id, w := range want {
		p := e.get(t, id)
		if p.State != w.state {
			t.Errorf("%s: state %s, want %s", p.Text, p.State, w.state)
			continue
		}
		if w.state == content.StateExpired {
			last := p.Audit[len(p.Audit)-1]
			if !strings.Contains(last.Reason, w.note) || !strings.Contains(last.Reason, "daily cap") || last.Actor != "system:scheduler" {
				t.Errorf("%s: expiry reason %q by %s", p.Text, last.Reason, last.Actor)
			}
			continue
		}
		if got := p.ScheduledAt.In(paris).Format("2006-01-02 15:04"); got != w.slot || p.SlotNote != w.note {
			t.Errorf("%s: slot %s %q, want %s %q", p.Text, got, p.SlotNote, w.slot, w.note)
		}
	}
	// A second replica planning again changes nothing.
	if err := sched.PlanNetwork(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if un, _ := e.store.Unscheduled(ctx, "x"); len(un) != 0 {
		t.Errorf("unscheduled after plan: %d", len(un))
	}
}

func TestPlanConcurrentReplicasKeepSpacing(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	for i := range 12 {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: string(rune('a' + i)), Kind: content.KindCurated, Network: "x", Text: "news " + string(rune('a'+i)), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	limits := map[string]NetworkLimits{"x": {MinSpacing: 15 * time.Minute, DailyCap: 40}}
	errs := make(chan error, 3)
	for range 3 {
		r := newEnv(t, redistestNewClient(t), e.clock)
		s, err := NewScheduler(r.store, SchedulerOptions{Networks: limits, Now: e.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		go func() { errs <- s.PlanNetwork(ctx, "x") }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Posts left unscheduled by contention are placed by the next run.
	s, _ := NewScheduler(e.store, SchedulerOptions{Networks: limits, Now: e.clock.Now, Logger: quietLog()})
	if err := s.PlanNetwork(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	times, err := e.store.SlotTimes(ctx, "x", e.clock.Now().Add(-time.Hour), e.clock.Now().Add(24*time.Hour))
	if err != nil || len(times) != 12 {
		t.Fatalf("slots %d %v, want 12", len(times), err)
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < 15*time.Minute {
			t.Errorf("slots %s and %s only %s apart", times[i-1], times[i], d)
		}
	}
}

func TestPlanUrgentPostTakesALessUrgentSlot(t *testing.T) {
	for _, manual := range []bool{false, true} {
		t.Run(fmt.Sprintf("manual_slot=%v", manual), func(t *testing.T) {
			ctx := context.Background()
			e := newTestEnv(t) // 09:00 UTC
			sched, err := NewScheduler(e.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {DailyCap: 1}},
				QuietHours: &QuietHours{Start: "00:00", End: "12:00"}, Now: e.clock.Now, Logger: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			mk := func(key string, prio int, notAfter time.Time) content.Post {
				p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindMilestone, Network: "x",
					Text: key, Priority: prio, NotAfter: notAfter, Actor: "t"})
				if err != nil {
					t.Fatal(err)
				}
				if p, err = e.store.Approve(ctx, p.ID, "ann"); err != nil {
					t.Fatal(err)
				}
				return p
			}
			low := mk("percent:25", 50, time.Time{})
			if manual {
				noon := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
				if _, err := e.store.Edit(ctx, low.ID, content.Edit{ScheduledAt: &noon}, "ann"); err != nil {
					t.Fatal(err)
				}
			} else if err := sched.PlanNetwork(ctx, "x"); err != nil {
				t.Fatal(err)
			}
			if got := e.get(t, low.ID); got.ScheduledAt.Hour() != 12 || got.ScheduledAt.Day() != 10 {
				t.Fatalf("low slot %s, want today 12:00", got.ScheduledAt)
			}
			urgent := mk("ending:24h", 1, time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC))
			if err := sched.PlanNetwork(ctx, "x"); err != nil {
				t.Fatal(err)
			}
			u, l := e.get(t, urgent.ID), e.get(t, low.ID)
			if manual {
				if u.State != content.StateExpired || l.ScheduledAt.Day() != 10 {
					t.Errorf("a person's slot was taken: urgent %s, low %s", u.State, l.ScheduledAt)
				}
				return
			}
			if u.State != content.StateApproved || u.ScheduledAt.Day() != 10 || u.ScheduledAt.Hour() != 12 {
				t.Errorf("urgent: %s at %s, want today 12:00", u.State, u.ScheduledAt)
			}
			if l.State != content.StateApproved || l.ScheduledAt.Day() != 11 || l.ScheduledAt.Hour() != 12 {
				t.Errorf("low: %s at %s, want tomorrow 12:00", l.State, l.ScheduledAt)
			}
			var gave bool
			for _, c := range l.Audit {
				gave = gave || (c.Action == "unschedule" && strings.Contains(c.Reason, urgent.ID))
			}
			if !gave {
				t.Errorf("low's audit does not say it gave its slot: %+v", l.Audit)
			}
		})
	}
}
