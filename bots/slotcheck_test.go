package bots

import (
	"context"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// TestCheckSlotNamesTheRule plans a day the way the scheduler does, then asks
// about times around it: each refusal names its rule with what a person needs
// to be told, and offers the next time that fits.
func TestCheckSlotNamesTheRule(t *testing.T) {
	ctx := context.Background()
	paris := mustLoc(t, "Europe/Paris")
	e := newTestEnv(t)
	e.clock = newClock(time.Date(2026, 3, 10, 9, 0, 0, 0, paris))
	var err error
	if e.store, err = content.NewStore(e.rdb, testPrefix, content.StoreOptions{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	sched, err := NewScheduler(e.store, SchedulerOptions{
		Networks:   map[string]NetworkLimits{"x": {DailyCap: 3, MinSpacing: 20 * time.Minute, CampaignSpacing: 2 * time.Hour}},
		QuietHours: &QuietHours{Start: "22:00", End: "08:00"}, Location: paris, Now: e.clock.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	mk := func(key, campaign string, notAfter time.Time) content.Post {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindMilestone, Network: "x", CampaignID: campaign,
			Text: "post " + key, NotAfter: notAfter, Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if p, err = e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	place := func(p content.Post, when time.Time) content.Post {
		if err := e.store.ReserveSlot(ctx, p.ID, when, "test", content.SlotGuard{}); err != nil {
			t.Fatal(err)
		}
		return e.get(t, p.ID)
	}
	a := place(mk("a", "c1", time.Time{}), at("2026-03-10 14:00"))
	place(mk("b", "c2", time.Time{}), at("2026-03-10 16:00"))
	moving := mk("m", "c1", at("2026-03-10 21:00"))

	cases := []struct {
		name string
		at   time.Time
		want SlotVerdict
	}{
		{"free", at("2026-03-10 11:00"), SlotVerdict{}},
		{"past", at("2026-03-10 08:59"), SlotVerdict{Rule: SlotPast}},
		{"now is past", at("2026-03-10 09:00"), SlotVerdict{Rule: SlotPast}},
		{"after not_after", at("2026-03-10 21:00"), SlotVerdict{Rule: SlotAfterNotAfter}},
		{"min spacing", at("2026-03-10 16:10"), SlotVerdict{Rule: SlotMinSpacing, Conflict: at("2026-03-10 16:00"), Spacing: 20 * time.Minute,
			Next: at("2026-03-10 16:20")}},
		{"campaign spacing", at("2026-03-10 15:00"), SlotVerdict{Rule: SlotCampaignSpacing, Conflict: at("2026-03-10 14:00"), Spacing: 2 * time.Hour,
			Next: at("2026-03-10 16:20")}},
	}
	for _, tc := range cases {
		got, err := sched.CheckSlot(ctx, moving, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rule != tc.want.Rule || !got.Conflict.Equal(tc.want.Conflict) || got.Spacing != tc.want.Spacing || !got.Next.Equal(tc.want.Next) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		if got.OK() != (tc.want.Rule == SlotFits) {
			t.Errorf("%s: OK() = %v", tc.name, got.OK())
		}
	}

	// Quiet hours, for a post with no deadline: their end, and the next slot.
	free := mk("f", "c3", time.Time{})
	got, err := sched.CheckSlot(ctx, free, at("2026-03-10 23:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Rule != SlotQuietHours || !got.Until.Equal(at("2026-03-11 08:00")) || !got.Next.Equal(at("2026-03-11 08:00")) {
		t.Errorf("quiet hours: %+v", got)
	}
	// A post that would miss its deadline is offered nothing.
	late := mk("l", "c5", at("2026-03-10 23:00"))
	if got, _ := sched.CheckSlot(ctx, late, at("2026-03-10 22:30")); got.Rule != SlotQuietHours || !got.Next.IsZero() {
		t.Errorf("quiet hours past not_after: %+v", got)
	}

	// The daily cap: a third post fills the day.
	place(mk("c", "c4", time.Time{}), at("2026-03-10 18:00"))
	got, err = sched.CheckSlot(ctx, free, at("2026-03-10 20:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Rule != SlotDailyCap || got.Cap != 3 || !got.Day.Equal(at("2026-03-10 00:00")) || !got.Next.Equal(at("2026-03-11 08:00")) {
		t.Errorf("daily cap: %+v", got)
	}
	// A post already placed that day moves within the day: its own slot
	// neither fills the cap nor spaces it from itself.
	if got, _ := sched.CheckSlot(ctx, a, at("2026-03-10 14:10")); !got.OK() {
		t.Errorf("moving a placed post by 10 minutes: %+v", got)
	}

	// The estimate for an unplaced post: the earliest free slot, with the
	// note the scheduler would write.
	est, err := sched.EarliestSlot(ctx, free)
	if err != nil {
		t.Fatal(err)
	}
	if !est.OK || !est.At.Equal(at("2026-03-11 08:00")) || est.Note != "daily cap 3 reached on 2026-03-10; quiet hours until 08:00 Europe/Paris" {
		t.Errorf("estimate: %+v", est)
	}
	if est, _ := sched.EarliestSlot(ctx, moving); est.OK {
		t.Errorf("estimate past not_after: %+v", est)
	}
}
