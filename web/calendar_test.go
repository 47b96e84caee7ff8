package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

// norm reads a text as a person does: no-break spaces are spaces.
func norm(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s))
}

// approveAt queues an approved manual post; a zero at leaves it unplaced.
func approveAt(t *testing.T, e *env, key string, prio int, at time.Time) content.Post {
	t.Helper()
	p, _, err := e.queue.Create(t.Context(), content.Draft{DedupKey: key, GroupID: key, Kind: content.KindManual, Network: "x",
		Text: "post " + key, Priority: prio, NotAfter: e.clock.Now().Add(48 * time.Hour), Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.queue.Approve(t.Context(), p.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if !at.IsZero() {
		if _, err := e.queue.Edit(t.Context(), p.ID, content.Edit{ScheduledAt: &at}, "system:scheduler"); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Minute)
	return e.queue.post(p.ID)
}

// TestCalendarWeekHasAnHourAxisInParis: the week runs Monday to Sunday with
// one row per hour, in the platform's zone; a post sits in the cell of its
// local day and hour; quiet hours are shaded; today is marked.
func TestCalendarWeekHasAnHourAxisInParis(t *testing.T) {
	e := newEnv(t, nil) // clock: Tue 2026-03-10 09:30 UTC, 10:30 in Paris
	e.slots.quiet = &bots.QuietHours{Start: "22:00", End: "08:00"}
	// 23:30 UTC on the 11th is 00:30 on the 12th in Paris (UTC+1 in March).
	late := approveAt(t, e, "late", 5, time.Date(2026, 3, 11, 23, 30, 0, 0, time.UTC))
	pub := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StatePublished, Text: "went out",
		PublishedAt: time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC), ExternalURL: "https://facebook.com/1_2"})

	b := e.login("alice")
	doc := b.page("/calendar?lang=en")
	heads := doc.Find("table.cal-week thead th")
	if heads.Length() != 8 || norm(heads.Eq(1).Text()) != "Mon 9 Mar" || norm(heads.Eq(7).Text()) != "Sun 15 Mar" {
		t.Errorf("week columns %q, want Monday 9 to Sunday 15 March", heads.Text())
	}
	if n := doc.Find("table.cal-week tbody tr").Length(); n != 24 {
		t.Errorf("%d hour rows, want 24", n)
	}
	cell := doc.Find(`td[data-day="2026-03-12"][data-hour="0"]`)
	if cell.Find("#slot-"+late.ID).Length() != 1 {
		t.Fatalf("post placed 00:30 Paris on the 12th is not in that cell")
	}
	if got := cell.Find("#slot-" + late.ID + " time").Text(); got != "00:30" {
		t.Errorf("time %q, want 00:30", got)
	}
	if v := cell.Find("#slot-"+late.ID+" input[name=scheduled_at]").AttrOr("value", ""); v != "2026-03-12T00:30" {
		t.Errorf("move form value %q", v)
	}
	if doc.Find(`td[data-day="2026-03-10"][data-hour="8"] #slot-`+pub.ID).Length() != 1 {
		t.Error("the published post is not at 08:00 on the 10th")
	}
	if !doc.Find("table.cal-week thead th").Eq(2).HasClass("today") {
		t.Error("today (Tuesday) is not marked")
	}
	if !doc.Find("table.cal-week tbody tr").Eq(3).HasClass("quiet") || doc.Find("table.cal-week tbody tr").Eq(12).HasClass("quiet") {
		t.Error("quiet hours are not shaded (03:00 quiet, 12:00 not)")
	}
	// Past cells take no drop; cells to come do.
	if _, ok := doc.Find(`td[data-day="2026-03-09"][data-hour="15"]`).Attr("data-drop"); ok {
		t.Error("a past cell accepts drops")
	}
	if _, ok := doc.Find(`td[data-day="2026-03-10"][data-hour="15"]`).Attr("data-drop"); !ok {
		t.Error("a cell to come does not accept drops")
	}
	// The agenda (the phone's view) lists the same posts by day.
	if doc.Find(".cal-agenda #agenda-"+late.ID).Length() != 1 {
		t.Error("the agenda lacks the post")
	}
	// Weeks go back and forth; the month view has the whole month.
	if next := doc.Find(`a[rel=next]`).AttrOr("href", ""); next != "/calendar?view=week&from=2026-03-16" {
		t.Errorf("next week link %q", next)
	}
	month := b.page("/calendar?view=month&lang=en")
	if n := month.Find("table.cal-month tbody td").Length(); n != 42 {
		t.Errorf("March 2026 shows %d days, want 6 weeks (Mon 23 Feb to Sun 5 Apr)", n)
	}
	if month.Find(`td[data-day="2026-03-12"] #slot-`+late.ID).Length() != 1 {
		t.Error("the month view lacks the post on its day")
	}
	if got := strings.TrimSpace(month.Find("h2.cal-title").Text()); got != "March 2026" {
		t.Errorf("month title %q", got)
	}
}

// TestCalendarListsPostsAwaitingASlot: an approved post without a slot is
// listed apart, in the order the scheduler would place it, with when it
// would go out, or why it is held; every approved post the navigation
// counts is on the page, listed or counted as outside the period.
func TestCalendarListsPostsAwaitingASlot(t *testing.T) {
	e := newEnv(t, nil)
	low := approveAt(t, e, "low", 8, time.Time{})
	high := approveAt(t, e, "high", 1, time.Time{})
	approveAt(t, e, "later", 5, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))
	inWindow := approveAt(t, e, "in window", 5, time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC))
	e.queue.Create(t.Context(), content.Draft{DedupKey: "pending", GroupID: "pending", Kind: content.KindManual, Network: "x", Text: "not approved"})
	e.slots.estimate = bots.SlotEstimate{At: time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC), Note: "quiet hours until 08:00 Europe/Paris", OK: true}

	b := e.login("alice")
	doc := b.page("/calendar?lang=en")
	aw := doc.Find("section#awaiting")
	if got := aw.Find("h3").Text(); !strings.Contains(got, "Approved, without a slot yet") || !strings.Contains(got, "(2)") {
		t.Errorf("awaiting heading %q", got)
	}
	var ids []string
	aw.Find(".cal-item").Each(func(_ int, s *goquery.Selection) { ids = append(ids, strings.TrimPrefix(s.AttrOr("id", ""), "slot-")) })
	if strings.Join(ids, ",") != high.ID+","+low.ID {
		t.Errorf("awaiting %v, want %s then %s (priority first)", ids, high.ID, low.ID)
	}
	if got := norm(aw.Find("#slot-" + high.ID + " .estimate").Text()); got != "Goes out Wed 11 Mar at 08:00 at the earliest (quiet hours until 08:00)." {
		t.Errorf("estimate %q", got)
	}
	if doc.Find(`td #slot-`+inWindow.ID).Length() != 1 || aw.Find("#slot-"+inWindow.ID).Length() != 0 {
		t.Error("the placed post is not (only) in the grid")
	}
	if got := doc.Find("p.outside").Text(); got != "1 more approved post is planned outside this period." {
		t.Errorf("outside hint %q", got)
	}
	nav, _ := strconv.Atoi(strings.TrimSpace(doc.Find("#count-approved").Text()))
	if shown := aw.Find(".cal-item").Length() + doc.Find(`table.cal-grid .cal-item.state-approved`).Length() + 1; nav != shown || nav != 4 {
		t.Errorf("nav counts %d approved, the page accounts for %d (want 4)", nav, shown)
	}

	// A paused network holds its posts, and the page says so.
	e.networks.status[0] = bots.NetworkStatus{Network: "x", Enabled: true, Paused: true, Reason: "unable to create post: Unauthorized", Since: e.clock.Now().Add(-2 * time.Hour)}
	doc = b.page("/calendar?lang=fr")
	held := doc.Find("section#awaiting #slot-" + high.ID)
	if !strings.Contains(norm(held.Find(".held-why").Text()), "Retenue : la publication sur X est en pause (depuis 2 h).") || held.Find(".badge.state-held").Length() != 1 {
		t.Errorf("held post %q", held.Text())
	}
	if doc.Find(`table.cal-grid #slot-`+inWindow.ID+`.held`).Length() != 1 {
		t.Error("a placed post of a paused network is not shown held")
	}
}

// TestCalendarMoveChecksTheRules: a move is refused in the past and where the
// scheduler's rules say no, with the rule in words and the nearest time that
// fits offered; a move that fits is made and the calendar redrawn.
func TestCalendarMoveChecksTheRules(t *testing.T) {
	e := newEnv(t, nil)
	p := approveAt(t, e, "move me", 5, time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC))
	b := e.login("alice")
	form := func(at string) url.Values {
		return url.Values{"scheduled_at": {at}, "ctx": {"calendar"}, "view": {"week"}, "from": {"2026-03-09"}}
	}

	// The past: refused before the scheduler is even asked.
	st, doc := b.hx("/posts/"+p.ID+"/schedule", "/calendar?lang=en", form("2026-03-10T08:00"))
	if st != http.StatusUnprocessableEntity || !strings.Contains(norm(doc.Find("#notice").Text()), "Tue 10 Mar at 08:00 is past: choose a time to come.") {
		t.Errorf("past: %d %q", st, doc.Find("#notice").Text())
	}
	if len(e.slots.checked) != 0 {
		t.Error("the scheduler was asked about the past")
	}

	// Quiet hours: the rule in words, the next time offered as a button.
	b.page("/calendar?lang=fr")
	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotQuietHours, Until: time.Date(2026, 3, 12, 7, 0, 0, 0, time.UTC),
		Next: time.Date(2026, 3, 12, 7, 0, 0, 0, time.UTC)}
	st, doc = b.hx("/posts/"+p.ID+"/schedule", "/calendar?lang=fr", form("2026-03-11T23:15"))
	notice := doc.Find("#notice")
	if st != http.StatusUnprocessableEntity || norm(notice.Find("p").Text()) != "Impossible de la placer le mer. 11 mars à 23 h 15 : heures calmes jusqu'à 8 h 00. Heure possible la plus proche : le jeu. 12 mars à 8 h 00." {
		t.Errorf("quiet hours: %d %q", st, notice.Find("p").Text())
	}
	if v := notice.Find(`form input[name=scheduled_at]`).AttrOr("value", ""); v != "2026-03-12T08:00" {
		t.Errorf("offered time %q", v)
	}
	if got := e.queue.post(p.ID).ScheduledAt; !got.Equal(time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("a refused move moved the post to %s", got)
	}

	// Spacing and the daily cap say which post and which day.
	b.page("/calendar?lang=en")
	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotMinSpacing, Conflict: time.Date(2026, 3, 11, 13, 5, 0, 0, time.UTC), Spacing: 20 * time.Minute}
	_, doc = b.hx("/posts/"+p.ID+"/schedule", "/calendar?lang=en", form("2026-03-11T14:15"))
	if got := norm(doc.Find("#notice p").Text()); got != "Cannot place it Wed 11 Mar at 14:15: too close to the 14:05 post: 20 min must separate two posts on X." {
		t.Errorf("spacing: %q", got)
	}
	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotDailyCap, Cap: 2, Day: time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC)}
	_, doc = b.hx("/posts/"+p.ID+"/schedule", "/calendar?lang=en", form("2026-03-11T14:15"))
	if got := norm(doc.Find("#notice p").Text()); !strings.Contains(got, "X already has its 2 posts that day (Wed 11 Mar): its daily cap.") {
		t.Errorf("daily cap: %q", got)
	}

	// A time that fits: moved, said, and the calendar redrawn out of band.
	e.slots.verdict = bots.SlotVerdict{}
	st, doc = b.hx("/posts/"+p.ID+"/schedule", "/calendar?lang=en", form("2026-03-11T16:45"))
	if st != http.StatusOK || norm(doc.Find("#notice p").Text()) != "Moved. It goes out Wed 11 Mar at 16:45, on X." {
		t.Errorf("move: %d %q", st, doc.Find("#notice p").Text())
	}
	if got := e.queue.post(p.ID).ScheduledAt; !got.Equal(time.Date(2026, 3, 11, 15, 45, 0, 0, time.UTC)) {
		t.Errorf("moved to %s", got)
	}
	cal := doc.Find(`#calendar[hx-swap-oob]`)
	if cal.Find(`td[data-day="2026-03-11"][data-hour="16"] #slot-`+p.ID).Length() != 1 {
		t.Error("the redrawn calendar does not show the post at its new hour")
	}

	// Without htmx, the same move is a flash and a redirect.
	resp := b.postForm("/posts/"+p.ID+"/schedule", url.Values{"scheduled_at": {"2026-03-13T08:15"}, "next": {"/calendar"}})
	if msg := b.flash(resp); !strings.Contains(msg, "Moved.") {
		t.Errorf("flash %q", msg)
	}
	if got := e.queue.post(p.ID).ScheduledAt; !got.Equal(time.Date(2026, 3, 13, 7, 15, 0, 0, time.UTC)) {
		t.Errorf("rescheduled to %s", got)
	}
	if msg := b.flash(b.postForm("/posts/"+p.ID+"/schedule", url.Values{"scheduled_at": {"tomorrow"}})); !strings.Contains(msg, "time: is not a date and time") {
		t.Errorf("bad time flash %q", msg)
	}
	// Only approved posts move.
	pending, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "p", GroupID: "p", Kind: content.KindManual, Network: "x", Text: "pending"})
	if st, doc := b.hx("/posts/"+pending.ID+"/schedule", "/calendar?lang=en", form("2026-03-11T16:45")); st != http.StatusConflict ||
		!strings.Contains(norm(doc.Find("#notice").Text()), "Only an approved post can be moved; this one is pending.") {
		t.Errorf("pending: %d %q", st, doc.Find("#notice").Text())
	}
}
