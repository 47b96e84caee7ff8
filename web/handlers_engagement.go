package web

import (
	"net/http"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

type engagementRow struct {
	Post   content.Post
	Last   bots.EngagementSample
	Points int
}

type engagementData struct {
	Configured bool
	Since      time.Time
	Summary    []bots.EngagementSummary
	Rows       []engagementRow
}

// engagementPage shows the latest metrics of recent published posts and the
// averages per kind and template variant: which posts work.
func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request) {
	d := engagementData{Configured: s.opt.Engagement != nil, Since: s.now().AddDate(0, 0, -30)}
	if s.opt.Engagement == nil {
		s.render(w, http.StatusOK, "engagement", s.page(w, r, "engagement", "engagement.title", d))
		return
	}
	ctx := r.Context()
	sum, err := s.opt.Engagement.Summary(ctx, d.Since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Summary = sum
	posts, _, err := s.opt.Queue.List(ctx, content.ListOptions{State: content.StatePublished, Limit: 50})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range posts {
		series, err := s.opt.Engagement.Series(ctx, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		row := engagementRow{Post: p, Points: len(series)}
		if len(series) > 0 {
			row.Last = series[len(series)-1]
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, http.StatusOK, "engagement", s.page(w, r, "engagement", "engagement.title", d))
}
