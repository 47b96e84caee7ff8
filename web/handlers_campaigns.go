package web

import (
	"errors"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
)

type campaignView struct {
	campaigns.Campaign
	Pct      int64 // funded percent
	Bar      int64 // the same, capped at 100 for the progress bar
	DaysLeft int   // whole days to the deadline, rounded up; 0 once past
	Goal     string
	Pledged  string
}

func (s *Server) newCampaignView(c campaigns.Campaign, lang string) campaignView {
	v := campaignView{Campaign: c, Pct: c.Percent(),
		Goal: composer.FormatMoney(c.Goal, c.Currency, lang), Pledged: composer.FormatMoney(c.Pledged, c.Currency, lang)}
	v.Bar = min(v.Pct, 100)
	if left := c.Deadline.Sub(s.now()); left > 0 && !c.State.Ended() {
		v.DaysLeft = int(math.Ceil(left.Hours() / 24))
	}
	return v
}

type campaignsData struct {
	Campaigns []campaignView
	State     string
	Pager     pager
}

// pager carries offset paging for HTML lists.
type pager struct {
	Offset, Limit, Total int
	PrevURL, NextURL     string
}

func newPager(base string, offset, limit, total int) pager {
	p := pager{Offset: offset, Limit: limit, Total: total}
	if offset > 0 {
		p.PrevURL = base + "offset=" + strconv.Itoa(max(0, offset-limit))
	}
	if offset+limit < total {
		p.NextURL = base + "offset=" + strconv.Itoa(offset+limit)
	}
	return p
}

// pageInt reads an integer query parameter of a page: def when absent, an
// error naming it when it is not a whole number from lo to hi.
func pageInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalidParam(name, "%s must be an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}

// badPageParam answers 400 naming the parameter.
func (s *Server) badPageParam(w http.ResponseWriter, r *http.Request, name string, lo, hi int) {
	s.renderError(w, r, http.StatusBadRequest, "err.bad_number", name, lo, hi)
}

func queryInt(r *http.Request, name string, def, lo, hi int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) {
	state := campaigns.State(r.URL.Query().Get("state"))
	switch state {
	case "", campaigns.StateLive, campaigns.StateSuccessful, campaigns.StateFailed, campaigns.StateCanceled, campaigns.StateEnded:
	default:
		state = ""
	}
	offset, err := pageInt(r, "offset", 0, 0, maxOffset)
	if err != nil {
		s.badPageParam(w, r, "offset", 0, maxOffset)
		return
	}
	const limit = 50
	cs, total, err := s.opt.Campaigns.List(r.Context(), campaigns.ListOptions{State: state, Offset: offset, Limit: limit})
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	lang := localeFrom(r.Context()).lang
	d := campaignsData{State: string(state), Pager: newPager("/campaigns?state="+string(state)+"&", offset, limit, total)}
	for _, c := range cs {
		d.Campaigns = append(d.Campaigns, s.newCampaignView(c, lang))
	}
	s.render(w, http.StatusOK, "campaigns", s.page(w, r, "campaigns", "campaigns.title", d))
}

type campaignData struct {
	Campaign   campaignView
	Sparkline  template.HTML
	Samples    int
	Milestones []milestoneRow
	Posts      []postView
}

// milestoneRow is a fired milestone with its readable name.
type milestoneRow struct {
	campaigns.FiredMilestone
	Label string
}

// campaignPage shows one campaign: progress, pledge sparkline, the milestones
// that fired and the posts they made.
func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	c, fired, err := s.opt.Campaigns.Get(ctx, id)
	if errors.Is(err, campaigns.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "err.campaign_not_found")
		return
	}
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	hist, err := s.opt.Campaigns.History(ctx, id, c.LaunchedAt.Add(-time.Hour))
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	posts, _, err := s.opt.Queue.List(ctx, content.ListOptions{CampaignID: id, Limit: 200})
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	l := localeFrom(ctx)
	d := campaignData{
		Campaign:  s.newCampaignView(c, l.lang),
		Sparkline: Sparkline(hist, c.Goal, 320, 64, l.T("campaign.sparkline")),
		Samples:   len(hist),
		Posts:     s.namer(ctx).views(posts),
	}
	for _, m := range fired {
		d.Milestones = append(d.Milestones, milestoneRow{FiredMilestone: m, Label: l.MilestoneLabel(string(m.Milestone), c.StretchGoals)})
	}
	// As the campaign lived them: 50 % before 100 %, not as text.
	slices.SortStableFunc(d.Milestones, func(a, b milestoneRow) int {
		return compareMilestones(string(a.Milestone), string(b.Milestone))
	})
	p := s.page(w, r, "campaigns", "campaign.title", d)
	p.Title = c.Title
	s.render(w, http.StatusOK, "campaign", p)
}
