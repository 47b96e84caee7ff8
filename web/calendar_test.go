package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/fanfarehq/fanfare/content"
)

// TestCalendarListsPostsAwaitingASlot: an approved post has no slot until the
// next publish run; the calendar lists it in its own section (rather than
// nowhere), and every approved post the navigation counts is on the page,
// either listed or counted as outside the days shown.
func TestCalendarListsPostsAwaitingASlot(t *testing.T) {
	e := newEnv(t, nil) // clock: 2026-03-10 09:30 UTC
	approve := func(key string, prio int) content.Post {
		t.Helper()
		p, _, err := e.queue.Create(t.Context(), content.Draft{DedupKey: key, GroupID: key, Kind: content.KindManual, Network: "x",
			Text: "post " + key, Priority: prio, NotAfter: e.clock.Now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.queue.Approve(t.Context(), p.ID, "alice"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		return p
	}
	schedule := func(p content.Post, at time.Time) {
		t.Helper()
		if _, err := e.queue.Edit(t.Context(), p.ID, content.Edit{ScheduledAt: &at}, "system:scheduler"); err != nil {
			t.Fatal(err)
		}
	}
	low := approve("low", 8)
	high := approve("high", 1)
	later := approve("later", 5)
	inWindow := approve("in window", 5)
	schedule(inWindow, time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC))
	schedule(later, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	e.queue.Create(t.Context(), content.Draft{DedupKey: "pending", GroupID: "pending", Kind: content.KindManual, Network: "x", Text: "not approved"})

	b := e.login("alice")
	doc := b.page("/calendar?lang=en")
	aw := doc.Find("section#awaiting")
	if got := aw.Find("h2").Text(); !strings.Contains(got, "Awaiting a slot (placed at the next publish run)") || !strings.Contains(got, "(2)") {
		t.Errorf("awaiting heading %q", got)
	}
	// Priority first, as the publish run places them.
	var ids []string
	aw.Find(".slot").Each(func(_ int, s *goquery.Selection) { ids = append(ids, strings.TrimPrefix(s.AttrOr("id", ""), "slot-")) })
	if strings.Join(ids, ",") != high.ID+","+low.ID {
		t.Errorf("awaiting %v, want %s then %s", ids, high.ID, low.ID)
	}
	slot := aw.Find("#slot-" + high.ID)
	if slot.Find("time").Length() != 0 {
		t.Error("a post with no slot shows a time")
	}
	if !strings.Contains(slot.Find(".meta").Text(), "until") {
		t.Errorf("awaiting post lacks its deadline: %q", slot.Text())
	}
	// A slot can be set by hand from here.
	if in := slot.Find(`form.reschedule input[name=scheduled_at]`); in.Length() != 1 || in.AttrOr("value", "x") != "" {
		t.Errorf("reschedule form on an awaiting post: %d inputs, value %q", in.Length(), in.AttrOr("value", "x"))
	}
	if doc.Find(`section.day #slot-`+inWindow.ID).Length() != 1 || aw.Find("#slot-"+inWindow.ID).Length() != 0 {
		t.Error("the scheduled post is not (only) on its day")
	}
	if got := doc.Find("p.outside").Text(); !strings.Contains(got, "1 more approved post(s)") {
		t.Errorf("outside hint %q", got)
	}

	// The nav count is what the page accounts for.
	nav, _ := strconv.Atoi(strings.TrimSpace(doc.Find("#count-approved").Text()))
	outside := 1
	if shown := aw.Find(".slot").Length() + doc.Find(`section.day .slot .badge.state-approved`).Length() + outside; nav != shown || nav != 4 {
		t.Errorf("nav counts %d approved, the page accounts for %d (want 4)", nav, shown)
	}

	if got := b.page("/calendar?lang=fr").Find("section#awaiting h2").Text(); !strings.Contains(got, "En attente d'un créneau") {
		t.Errorf("fr awaiting heading %q", got)
	}

	// Once placed, the post leaves the section for its day.
	schedule(high, time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC))
	schedule(low, time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
	doc = b.page("/calendar")
	if doc.Find("section#awaiting").Length() != 0 {
		t.Error("the awaiting section stays with nothing awaiting")
	}
	if doc.Find(`section.day[data-day="2026-03-12"] .slot`).Length() != 2 {
		t.Error("placed posts are not on their day")
	}

	// Setting a slot by hand from the section works like a reschedule.
	p := approve("by hand", 5)
	b.flash(b.postForm("/posts/"+p.ID+"/schedule", url.Values{"scheduled_at": {"2026-03-13T10:00"}, "next": {"/calendar"}}))
	if got := e.queue.post(p.ID).ScheduledAt; !got.Equal(time.Date(2026, 3, 13, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("slot set by hand: %s", got)
	}
}
