package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

type calendarDay struct {
	Date  time.Time
	Today bool
	Posts []calendarPost
}

type calendarPost struct {
	postView
	At time.Time // the slot, or when it went out
}

type calendarData struct {
	Days []calendarDay
	// Awaiting are approved posts the scheduler has not placed yet: a slot
	// is given at the next publish run, and until then the post has no day.
	Awaiting []calendarPost
	// Outside counts approved posts whose slot falls before or after the
	// days shown, so that the page accounts for every post the navigation
	// counts as approved.
	Outside   int
	Span      int
	From      string
	Prev      string
	Next      string
	Truncated bool
}

// calendarPage shows approved posts at their slots and published posts at
// their times, one column per day in the platform's time zone, and above them
// the approved posts still waiting for a slot.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	span := 7
	if r.URL.Query().Get("days") == "14" {
		span = 14
	}
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	from := today.AddDate(0, 0, -1)
	if f := r.URL.Query().Get("from"); f != "" {
		if t, err := time.ParseInLocation("2006-01-02", f, s.loc); err == nil {
			from = t
		}
	}
	to := from.AddDate(0, 0, span)
	d := calendarData{Span: span, From: from.Format("2006-01-02")}
	d.Prev = "/calendar?days=" + strconv.Itoa(span) + "&from=" + from.AddDate(0, 0, -span).Format("2006-01-02")
	d.Next = "/calendar?days=" + strconv.Itoa(span) + "&from=" + to.Format("2006-01-02")
	for i := 0; i < span; i++ {
		day := from.AddDate(0, 0, i)
		d.Days = append(d.Days, calendarDay{Date: day, Today: day.Equal(today)})
	}
	place := func(p content.Post, at time.Time) {
		if at.Before(from) || !at.Before(to) {
			if p.State == content.StateApproved {
				d.Outside++
			}
			return
		}
		local := at.In(s.loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
		for i := range d.Days {
			if d.Days[i].Date.Equal(day) {
				d.Days[i].Posts = append(d.Days[i].Posts, calendarPost{postView: newPostView(p), At: at})
				return
			}
		}
	}
	for _, st := range []content.State{content.StateApproved, content.StatePublishing, content.StatePublished} {
		posts, total, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: st, Limit: 500})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if total > len(posts) {
			d.Truncated = true
		}
		for _, p := range posts {
			at := p.ScheduledAt
			if st == content.StatePublished {
				at = p.PublishedAt
			}
			switch {
			case !at.IsZero():
				place(p, at)
			case st == content.StateApproved:
				d.Awaiting = append(d.Awaiting, calendarPost{postView: newPostView(p)})
			}
		}
	}
	// Roughly the order the publish run places them in: priority, then age.
	sort.SliceStable(d.Awaiting, func(a, b int) bool {
		pa, pb := d.Awaiting[a], d.Awaiting[b]
		if pa.Priority != pb.Priority {
			return pa.Priority < pb.Priority
		}
		return pa.CreatedAt.Before(pb.CreatedAt)
	})
	for i := range d.Days {
		ps := d.Days[i].Posts
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].At.Before(ps[b].At) })
	}
	s.render(w, http.StatusOK, "calendar", s.page(w, r, "calendar", "calendar.title", d))
}
