package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// The calendar shows approved posts at their slots and published posts at
// their times, as a week with an hour axis or as a month, in the platform's
// time zone; above them, the approved posts that have no slot yet, each with
// when it would go out or why it is held. Approved posts move by drag and
// drop, or with their "move" form; the server checks the move (postSchedule).

// calItem is a post placed in the calendar.
type calItem struct {
	postView
	At time.Time // the slot, or when it went out
	// Held says why an approved post does not go out (network paused, rate
	// limited, slot missed): shown instead of waiting in silence.
	Held string
	// Estimate says when an unplaced post would go out, and why then.
	Estimate string
	Movable  bool
}

type calCell struct {
	Day   string // 2006-01-02
	Hour  int    // -1 in the month view
	Past  bool
	Quiet bool
	Label string // the cell's time, for its accessible name
	Items []calItem
}

type calRow struct {
	Hour  int
	Label string // "08:00"
	Quiet bool
	Cells []calCell
}

type calDay struct {
	Date  time.Time
	Key   string // 2006-01-02
	Today bool
	Past  bool
	Other bool // the month view's days of the months around
	Cell  calCell
	Items []calItem // the day's posts, for the agenda and the month
}

type calendarData struct {
	View     string // "week" or "month"
	From     string // the first day shown, 2006-01-02
	Title    string
	Days     []calDay
	Weeks    [][]calDay // month view
	Rows     []calRow   // week view
	Awaiting []calItem
	Prev     string
	Next     string
	Today    string
	WeekURL  string
	MonthURL string
	// QuietHours describes the daily window without posts, when there is one.
	QuietHours string
	Truncated  bool
	// Outside counts approved posts whose slot falls before or after the
	// period shown, so that the page accounts for every approved post the
	// navigation counts.
	Outside int
	// Count is how many posts the period holds.
	Count int
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.calendarView(r, r.URL.Query())
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "calendar", s.page(w, r, "calendar", "calendar.title", d))
}

// calendarView builds the calendar for the view and first day in q (a page's
// query, or an action's form when the calendar is redrawn after a move).
func (s *Server) calendarView(r *http.Request, q url.Values) (calendarData, error) {
	ctx := r.Context()
	l := localeFrom(ctx)
	now := s.now().In(s.loc)
	today := midnight(now)
	view := q.Get("view")
	if view != "month" {
		view = "week"
	}
	anchor := today
	if f := q.Get("from"); f != "" {
		if t, err := time.ParseInLocation("2006-01-02", f, s.loc); err == nil {
			anchor = t
		}
	}
	var from, to time.Time
	d := calendarData{View: view}
	if view == "week" {
		from = startOfWeek(anchor)
		to = from.AddDate(0, 0, 7)
		d.Title = l.T("calendar.week_of", l.date(from, now))
		d.Prev, d.Next = calURL("week", from.AddDate(0, 0, -7)), calURL("week", to)
	} else {
		first := time.Date(anchor.Year(), anchor.Month(), 1, 0, 0, 0, 0, s.loc)
		from = startOfWeek(first)
		last := first.AddDate(0, 1, 0)
		to = startOfWeek(last.AddDate(0, 0, -1)).AddDate(0, 0, 7)
		d.Title = l.T("month_long."+strconv.Itoa(int(first.Month()))) + " " + strconv.Itoa(first.Year())
		d.Prev, d.Next = calURL("month", first.AddDate(0, -1, 0)), calURL("month", last)
		anchor = first
	}
	d.From = from.Format("2006-01-02")
	d.Today = calURL(view, today)
	d.WeekURL, d.MonthURL = calURL("week", anchor), calURL("month", anchor)

	items, awaiting, outside, truncated, err := s.calendarItems(ctx, from, to)
	if err != nil {
		return d, err
	}
	d.Outside = outside
	d.Truncated = truncated
	d.Count = len(items)
	d.Awaiting = awaiting

	var quiet *quietWindow
	if s.opt.Slots != nil {
		if q := s.opt.Slots.QuietHours(); q != nil {
			if qw, ok := parseQuietWindow(q.Start, q.End); ok {
				quiet = &qw
				d.QuietHours = l.T("calendar.quiet_hours", l.clock(qw.startClock()), l.clock(qw.endClock()))
			}
		}
	}
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		cd := calDay{Date: day, Key: day.Format("2006-01-02"), Today: day.Equal(today), Past: day.Before(today),
			Other: view == "month" && day.Month() != anchor.Month()}
		cd.Cell = calCell{Day: cd.Key, Hour: -1, Past: cd.Past, Label: l.date(day, now)}
		for _, it := range items {
			if midnight(it.At.In(s.loc)).Equal(day) {
				cd.Items = append(cd.Items, it)
			}
		}
		cd.Cell.Items = cd.Items
		d.Days = append(d.Days, cd)
	}
	if view == "month" {
		for i := 0; i < len(d.Days); i += 7 {
			d.Weeks = append(d.Weeks, d.Days[i:min(i+7, len(d.Days))])
		}
		return d, nil
	}
	for h := 0; h < 24; h++ {
		row := calRow{Hour: h, Label: twoDigits(h) + ":00", Quiet: quiet != nil && quiet.containsHour(h)}
		for _, day := range d.Days {
			start := time.Date(day.Date.Year(), day.Date.Month(), day.Date.Day(), h, 0, 0, 0, s.loc)
			c := calCell{Day: day.Key, Hour: h, Quiet: row.Quiet, Past: !start.Add(time.Hour).After(now),
				Label: l.dateTime(start, now)}
			for _, it := range day.Items {
				if it.At.In(s.loc).Hour() == h {
					c.Items = append(c.Items, it)
				}
			}
			row.Cells = append(row.Cells, c)
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

func calURL(view string, day time.Time) string {
	return "/calendar?view=" + view + "&from=" + day.Format("2006-01-02")
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// startOfWeek is the Monday of t's week (weeks start on Monday in France and
// by ISO 8601).
func startOfWeek(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7
	return midnight(t).AddDate(0, 0, -back)
}

// maxCalendarPages bounds how many pages of 500 posts per state the
// calendar reads.
const maxCalendarPages = 10

// calendarItems reads the approved, publishing and published posts between
// from and to, and the approved posts that have no slot.
func (s *Server) calendarItems(ctx context.Context, from, to time.Time) (items, awaiting []calItem, outside int, truncated bool, err error) {
	n := s.namer(ctx)
	l := n.l
	now := s.now()
	canChange := false
	if id, ok := identityFrom(ctx); ok {
		canChange = id.CanChange()
	}
	held := s.heldNetworks(ctx, l)
	for _, st := range []content.State{content.StateApproved, content.StatePublishing, content.StatePublished} {
		for page := 0; page < maxCalendarPages; page++ {
			posts, total, err := s.opt.Queue.List(ctx, content.ListOptions{State: st, Limit: 500, Offset: page * 500})
			if err != nil {
				return nil, nil, 0, false, err
			}
			older := false
			for _, p := range posts {
				at := p.ScheduledAt
				if st == content.StatePublished {
					at = p.PublishedAt
					// Published posts come newest first: once before the
					// window, the rest are too.
					older = older || at.Before(from)
				}
				it := calItem{At: at}
				if st == content.StateApproved {
					it.Held = held[p.Network]
					if it.Held == "" && !at.IsZero() && at.Before(now.Add(-10*time.Minute)) {
						it.Held = l.T("calendar.held_missed")
					}
					it.Movable = canChange
				}
				if at.IsZero() {
					if st == content.StateApproved {
						it.postView = n.view(p)
						awaiting = append(awaiting, it)
					}
					continue
				}
				if at.Before(from) || !at.Before(to) {
					if st == content.StateApproved {
						outside++
					}
					continue
				}
				it.postView = n.view(p)
				items = append(items, it)
			}
			if len(posts) < 500 || (page+1)*500 >= total || older {
				break
			}
			if page == maxCalendarPages-1 {
				truncated = true
			}
		}
	}
	slices.SortStableFunc(items, func(a, b calItem) int { return a.At.Compare(b.At) })
	// Roughly the order the publish run places them in: priority, then age.
	slices.SortStableFunc(awaiting, func(a, b calItem) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.CreatedAt.Compare(b.CreatedAt))
	})
	s.estimate(ctx, l, awaiting)
	return items, awaiting, outside, truncated, nil
}

// maxEstimates bounds the scheduler reads for the "awaiting" list.
const maxEstimates = 50

// estimate says when each unplaced, not held post would go out.
func (s *Server) estimate(ctx context.Context, l locale, items []calItem) {
	if s.opt.Slots == nil {
		return
	}
	now := s.now().In(s.loc)
	for i := range items {
		if i >= maxEstimates {
			return
		}
		it := &items[i]
		if it.Held != "" {
			continue
		}
		est, err := s.opt.Slots.EarliestSlot(ctx, it.Post)
		if err != nil {
			s.log.Warn("unable to estimate a slot", "post_id", it.ID, "error", err)
			return
		}
		why := l.explain(est.Note, s.loc, now)
		if !est.OK {
			it.Estimate = l.T("calendar.no_slot", l.dateTime(it.NotAfter.In(s.loc), now), why.Text)
			continue
		}
		it.Estimate = l.T("calendar.estimate", l.dateTime(est.At.In(s.loc), now), why.Text)
	}
}

// heldNetworks says, per network, why its approved posts are held now: a
// pause (a refused token) or a rate limit's wait.
func (s *Server) heldNetworks(ctx context.Context, l locale) map[string]string {
	out := map[string]string{}
	now := s.now().In(s.loc)
	for _, n := range s.pausedNetworks(ctx) {
		since := ""
		if !n.Since.IsZero() {
			since = l.T("time.since", l.elapsed(now.Sub(n.Since)))
		}
		out[n.Network] = l.T("calendar.held_paused", l.Net(n.Network), since)
	}
	h, ok := s.opt.Networks.(networkHolds)
	if !ok {
		return out
	}
	for _, network := range s.opt.EnabledNetworks {
		if out[network] != "" {
			continue
		}
		until, err := h.HeldUntil(ctx, network)
		if err != nil {
			s.log.Warn("unable to read a network's hold", "network", network, "error", err)
			continue
		}
		if until.After(now) {
			out[network] = l.T("calendar.held_rate", l.Net(network), l.clock(until.In(s.loc)))
		}
	}
	return out
}

// quietWindow is the quiet hours in minutes after midnight, for shading.
type quietWindow struct{ start, end int }

func parseQuietWindow(start, end string) (quietWindow, bool) {
	a, err1 := time.Parse("15:04", start)
	b, err2 := time.Parse("15:04", end)
	if err1 != nil || err2 != nil {
		return quietWindow{}, false
	}
	return quietWindow{a.Hour()*60 + a.Minute(), b.Hour()*60 + b.Minute()}, true
}

// containsHour: the whole hour h lies in the window.
func (q quietWindow) containsHour(h int) bool {
	in := func(m int) bool {
		if q.start < q.end {
			return m >= q.start && m < q.end
		}
		return m >= q.start || m < q.end
	}
	return in(h*60) && in(h*60+59)
}

func (q quietWindow) startClock() time.Time {
	return time.Date(0, 1, 1, q.start/60, q.start%60, 0, 0, time.UTC)
}
func (q quietWindow) endClock() time.Time {
	return time.Date(0, 1, 1, q.end/60, q.end%60, 0, 0, time.UTC)
}
