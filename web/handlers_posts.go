package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

type queueData struct {
	Groups []group
	Total  int
	Shown  int
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	posts, total, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: content.StatePending, Limit: 500})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := queueData{Groups: groupPosts(posts), Total: total, Shown: len(posts)}
	s.titleGroups(r.Context(), d.Groups)
	s.render(w, http.StatusOK, "queue", s.page(w, r, "queue", "queue.title", d))
}

type postData struct {
	Post           postView
	MilestoneLabel string
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.opt.Queue.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, content.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "err.post_not_found")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := postData{Post: newPostView(p)}
	if p.Milestone != "" {
		var goals []campaigns.StretchGoal
		if p.CampaignID != "" && strings.HasPrefix(p.Milestone, "stretch:") {
			goals = s.campaign(r.Context(), p.CampaignID).StretchGoals
		}
		d.MilestoneLabel = localeFrom(r.Context()).MilestoneLabel(p.Milestone, goals)
	}
	s.render(w, http.StatusOK, "post", s.page(w, r, "", "post.title", d))
}

// done ends a form action: a flash saying how it went, then back (PRG). The
// queue's own errors (wrong state, a bad field, a vanished post) are the
// person's to read, not a 500.
func (s *Server) done(w http.ResponseWriter, r *http.Request, err error, okMsg string, fallback string) {
	l := localeFrom(r.Context())
	var fe *content.FieldError
	var br *badRequest
	switch {
	case err == nil:
		s.setFlash(w, "ok", okMsg)
	case errors.As(err, &br):
		s.setFlash(w, "error", br.msg)
	case errors.Is(err, content.ErrNotFound):
		s.setFlash(w, "error", l.T("err.post_not_found"))
	case errors.Is(err, content.ErrWrongState):
		s.setFlash(w, "error", l.T("err.wrong_state", err.Error()))
	case errors.As(err, &fe):
		s.setFlash(w, "error", l.T("err.field", fe.Field, fe.Message))
	default:
		s.log.Error("post action failed", "path", r.URL.Path, "err", err)
		s.setFlash(w, "error", l.T("err.internal"))
	}
	s.back(w, r, fallback)
}

func actor(r *http.Request) string {
	id, _ := identityFrom(r.Context())
	return id.Actor
}

func (s *Server) postApprove(w http.ResponseWriter, r *http.Request) {
	_, err := s.opt.Queue.Approve(r.Context(), r.PathValue("id"), actor(r))
	s.done(w, r, err, localeFrom(r.Context()).T("flash.approved", 1), "/")
}

func (s *Server) postReject(w http.ResponseWriter, r *http.Request) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		s.done(w, r, &content.FieldError{Field: "reason", Message: localeFrom(r.Context()).T("err.reason_required")}, "", "/")
		return
	}
	_, err := s.opt.Queue.Reject(r.Context(), r.PathValue("id"), actor(r), reason)
	s.done(w, r, err, localeFrom(r.Context()).T("flash.rejected", 1), "/")
}

func (s *Server) postEdit(w http.ResponseWriter, r *http.Request) {
	var e content.Edit
	if _, ok := r.PostForm["text"]; ok {
		t := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
		e.Text = &t
	}
	if _, ok := r.PostForm["link"]; ok {
		l := strings.TrimSpace(r.PostFormValue("link"))
		e.Link = &l
	}
	_, err := s.opt.Queue.Edit(r.Context(), r.PathValue("id"), e, actor(r))
	s.done(w, r, err, localeFrom(r.Context()).T("flash.edited"), "/")
}

// postSchedule moves an approved post's slot to a time typed in the
// platform's time zone.
func (s *Server) postSchedule(w http.ResponseWriter, r *http.Request) {
	at, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("scheduled_at"), s.loc)
	if err != nil {
		s.done(w, r, &content.FieldError{Field: "scheduled_at", Message: localeFrom(r.Context()).T("err.bad_time")}, "", "/calendar")
		return
	}
	_, err = s.opt.Queue.Edit(r.Context(), r.PathValue("id"), content.Edit{ScheduledAt: &at}, actor(r))
	s.done(w, r, err, localeFrom(r.Context()).T("flash.rescheduled"), "/calendar")
}

func (s *Server) postRetry(w http.ResponseWriter, r *http.Request) {
	_, err := s.opt.Queue.Retry(r.Context(), r.PathValue("id"), actor(r))
	s.done(w, r, err, localeFrom(r.Context()).T("flash.retried"), "/problems")
}

func (s *Server) postResolve(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	res := content.Resolution{Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	switch r.PostFormValue("published") {
	case "true":
		res.Published = true
		res.ExternalURL = strings.TrimSpace(r.PostFormValue("url"))
		if !strings.HasPrefix(res.ExternalURL, "https://") && !strings.HasPrefix(res.ExternalURL, "http://") {
			s.done(w, r, &content.FieldError{Field: "url", Message: l.T("err.url_required")}, "", "/problems")
			return
		}
	case "false":
		if res.Reason == "" {
			s.done(w, r, &content.FieldError{Field: "reason", Message: l.T("err.reason_required")}, "", "/problems")
			return
		}
	default:
		s.done(w, r, &content.FieldError{Field: "published", Message: "true or false"}, "", "/problems")
		return
	}
	_, err := s.opt.Queue.Resolve(r.Context(), r.PathValue("id"), actor(r), res)
	s.done(w, r, err, l.T("flash.resolved"), "/problems")
}

// postBulk approves or rejects several posts: the checked ones, or a group's.
// Each post is its own step; one that moved meanwhile does not stop the others.
func (s *Server) postBulk(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		s.done(w, r, &content.FieldError{Field: "id", Message: l.T("err.none_selected")}, "", "/")
		return
	}
	if len(ids) > 500 {
		ids = ids[:500]
	}
	action := r.PostFormValue("action")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if action != "approve" && action != "reject" {
		s.done(w, r, &content.FieldError{Field: "action", Message: "approve or reject"}, "", "/")
		return
	}
	if action == "reject" && reason == "" {
		s.done(w, r, &content.FieldError{Field: "reason", Message: l.T("err.reason_required")}, "", "/")
		return
	}
	ok := 0
	var failures []string
	for _, id := range ids {
		var err error
		if action == "approve" {
			_, err = s.opt.Queue.Approve(r.Context(), id, actor(r))
		} else {
			_, err = s.opt.Queue.Reject(r.Context(), id, actor(r), reason)
		}
		if err != nil {
			if !errors.Is(err, content.ErrWrongState) && !errors.Is(err, content.ErrNotFound) {
				s.log.Error("bulk action failed", "post_id", id, "action", action, "err", err)
			}
			failures = append(failures, id+": "+err.Error())
			continue
		}
		ok++
	}
	msg := l.T("flash.approved", ok)
	if action == "reject" {
		msg = l.T("flash.rejected", ok)
	}
	if len(failures) > 0 {
		s.setFlash(w, "error", msg+" "+l.T("flash.bulk_failed", strings.Join(failures, "; ")))
	} else {
		s.setFlash(w, "ok", msg)
	}
	s.back(w, r, "/")
}

// titleGroups names each group's campaign and milestone. A campaign the
// tracker no longer knows (or a failing lookup) just leaves the id showing,
// and its stretch goals numbered rather than named.
func (s *Server) titleGroups(ctx context.Context, gs []group) {
	l := localeFrom(ctx)
	seen := map[string]campaigns.Campaign{}
	for i := range gs {
		var c campaigns.Campaign
		if id := gs[i].CampaignID; id != "" {
			var ok bool
			if c, ok = seen[id]; !ok {
				c = s.campaign(ctx, id)
				seen[id] = c
			}
		}
		gs[i].Title = c.Title
		if gs[i].Milestone != "" {
			gs[i].Label = l.MilestoneLabel(gs[i].Milestone, c.StretchGoals)
		}
	}
}

// campaign reads a campaign for naming things on a page; a miss or a failing
// lookup gives the zero campaign, the page then shows ids instead of titles.
func (s *Server) campaign(ctx context.Context, id string) campaigns.Campaign {
	c, _, err := s.opt.Campaigns.Get(ctx, id)
	if err != nil && !errors.Is(err, campaigns.ErrNotFound) {
		s.log.Warn("unable to read campaign", "campaign_id", id, "err", err)
	}
	if err != nil {
		return campaigns.Campaign{}
	}
	return c
}
