package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/urlredact"
)

func (s *Server) apiRoutes() []route {
	page := []param{{"offset", "integer", "items to skip", false}, {"limit", "integer", "1 to 500, default 50", false}}
	return []route{
		{pattern: "GET /api/v1/openapi.json", access: accessAPI, handler: s.apiOpenAPI,
			doc: &apiDoc{summary: "This document", status: 200, response: "object"}},
		{pattern: "GET /api/v1/campaigns", access: accessAPI, handler: s.apiCampaigns,
			doc: &apiDoc{summary: "List tracked campaigns, live first by deadline", status: 200, response: "Campaign", list: true,
				query: append([]param{{"state", "string", "live, successful, failed or canceled", false}}, page...)}},
		{pattern: "GET /api/v1/campaigns/{id}", access: accessAPI, handler: s.apiCampaign,
			doc: &apiDoc{summary: "A campaign with its fired milestones and pledge history", status: 200, response: "CampaignDetail"}},
		{pattern: "GET /api/v1/posts", access: accessAPI, handler: s.apiPosts,
			doc: &apiDoc{summary: "List posts, newest first", status: 200, response: "Post", list: true,
				query: append([]param{{"state", "string", "a post state", false}, {"campaign_id", "string", "", false},
					{"network", "string", "x or facebook", false}, {"group_id", "string", "the event", false},
					{"kind", "string", "milestone, story, curated, manual or digest", false}}, page...)}},
		{pattern: "POST /api/v1/posts", access: accessAPI, handler: s.apiCreatePost,
			doc: &apiDoc{summary: "Write a manual post for one or more networks", body: "ManualPost", status: 201, response: "Post", list: true}},
		{pattern: "GET /api/v1/posts/{id}", access: accessAPI, handler: s.apiPost,
			doc: &apiDoc{summary: "A post with its audit trail, and what it did (clicks, unique visitors, estimated lift, attributed pledges)", status: 200, response: "Post"}},
		{pattern: "PATCH /api/v1/posts/{id}", access: accessAPI, handler: s.apiEditPost,
			doc: &apiDoc{summary: "Edit a pending or approved post; a new scheduled_at is held to the network's limits as a move in the calendar is (422 slot_refused, naming the rule and the nearest time that fits)", body: "PostEdit", status: 200, response: "Post"}},
		{pattern: "POST /api/v1/posts/{id}/approve", access: accessAPI, handler: s.apiApprove,
			doc: &apiDoc{summary: "Approve a pending post", status: 200, response: "Post"}},
		{pattern: "POST /api/v1/posts/{id}/reject", access: accessAPI, handler: s.apiReject,
			doc: &apiDoc{summary: "Reject a pending post, with a reason", body: "Reason", status: 200, response: "Post"}},
		{pattern: "POST /api/v1/posts/{id}/retry", access: accessAPI, handler: s.apiRetry,
			doc: &apiDoc{summary: "Move a failed, unknown or duplicate post back to approved", status: 200, response: "Post"}},
		{pattern: "POST /api/v1/posts/{id}/resolve", access: accessAPI, handler: s.apiResolve,
			doc: &apiDoc{summary: "Settle an unknown, failed or duplicate post by hand (an unknown post is looked for on the network, less and less often, for 24 h after its attempt, and published when found)", body: "Resolution", status: 200, response: "Post"}},
		{pattern: "GET /api/v1/feeds", access: accessAPI, handler: s.apiFeeds,
			doc: &apiDoc{summary: "List the curated feeds and their last fetch", status: 200, response: "FeedStatus", list: true, query: page}},
		{pattern: "POST /api/v1/feeds", access: accessAPI, scope: ScopeAdmin, handler: s.apiAddFeed,
			doc: &apiDoc{summary: "Add a feed", body: "Feed", status: 201, response: "Feed"}},
		{pattern: "DELETE /api/v1/feeds", access: accessAPI, scope: ScopeAdmin, handler: s.apiRemoveFeed,
			doc: &apiDoc{summary: "Remove a feed added at run time", status: 204,
				query: []param{{"url", "string", "the feed's URL", true}}}},
		{pattern: "GET /api/v1/audit", access: accessAPI, handler: s.apiAudit,
			doc: &apiDoc{summary: "The newest changes across all posts", status: 200, response: "AuditLine", list: true,
				query: []param{{"limit", "integer", "1 to 1000, default 100", false}}}},
		{pattern: "GET /api/v1/sources", access: accessAPI, handler: s.apiSources,
			doc: &apiDoc{summary: "Each campaign source (poll, webhook, import): last run, last success, last error, reject counts", status: 200, response: "SourceHealth", list: true}},
		{pattern: "GET /api/v1/networks", access: accessAPI, handler: s.apiNetworks,
			doc: &apiDoc{summary: "Each network: enabled, preview, paused and why", status: 200, response: "NetworkStatus", list: true}},
		{pattern: "POST /api/v1/networks/{name}/resume", access: accessAPI, scope: ScopeAdmin, handler: s.apiResumeNetwork,
			doc: &apiDoc{summary: "Lift a network's pause once its token is fixed", status: 200, response: "NetworkStatus"}},
	}
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := paging(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	state := campaigns.State(r.URL.Query().Get("state"))
	switch state {
	case "", campaigns.StateLive, campaigns.StateSuccessful, campaigns.StateFailed, campaigns.StateCanceled, campaigns.StateEnded:
	default:
		s.apiFail(w, r, invalidParam("state", "state %q is not one of live, successful, failed, canceled", state))
		return
	}
	cs, total, err := s.opt.Campaigns.List(r.Context(), campaigns.ListOptions{State: state, Offset: offset, Limit: limit})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewList(cs, total, offset, limit))
}

type campaignDetail struct {
	Campaign   campaigns.Campaign         `json:"campaign"`
	Milestones []campaigns.FiredMilestone `json:"milestones"`
	History    []campaigns.Sample         `json:"history"`
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, fired, err := s.opt.Campaigns.Get(r.Context(), id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	hist, err := s.opt.Campaigns.History(r.Context(), id, time.Time{})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if fired == nil {
		fired = []campaigns.FiredMilestone{}
	}
	if hist == nil {
		hist = []campaigns.Sample{}
	}
	writeJSON(w, http.StatusOK, campaignDetail{Campaign: c, Milestones: fired, History: hist})
}

func (s *Server) apiPosts(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := paging(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	o := content.ListOptions{State: content.State(q.Get("state")), CampaignID: q.Get("campaign_id"),
		Network: q.Get("network"), GroupID: q.Get("group_id"), Kind: content.Kind(q.Get("kind")), Offset: offset, Limit: limit}
	if o.State != "" && !slices.Contains(content.States, o.State) {
		s.apiFail(w, r, invalidParam("state", "state %q is not a post state", o.State))
		return
	}
	if o.Kind != "" && !slices.Contains(content.Kinds, o.Kind) {
		s.apiFail(w, r, invalidParam("kind", "kind %q is not a post kind (milestone, story, curated, manual, digest)", o.Kind))
		return
	}
	posts, total, err := s.opt.Queue.List(r.Context(), o)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	for i := range posts {
		posts[i].Source = urlredact.URL(posts[i].Source)
	}
	writeJSON(w, http.StatusOK, NewList(posts, total, offset, limit))
}

func (s *Server) apiPost(w http.ResponseWriter, r *http.Request) {
	p, err := s.opt.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	// A curated post's source is its feed's URL: its secrets stay hidden
	// (GET /api/v1/feeds gives it whole to admin tokens).
	p.Source = urlredact.URL(p.Source)
	if s.opt.Impact != nil {
		im, err := s.opt.Impact.PostImpact(r.Context(), p)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, postWithImpact{Post: p, PostImpact: im})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

type postEdit struct {
	Text        *string    `json:"text"`
	Link        *string    `json:"link"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	NotAfter    *time.Time `json:"not_after"`
}

func (s *Server) apiEditPost(w http.ResponseWriter, r *http.Request) {
	var e postEdit
	if err := decodeJSON(w, r, &e, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	// A slot in the past would send the post at once: refused, as in the
	// calendar (zero, which hands the slot back to the scheduler, is fine).
	if e.ScheduledAt != nil && !e.ScheduledAt.IsZero() && !e.ScheduledAt.After(s.now()) {
		s.apiFail(w, r, &content.FieldError{Field: "scheduled_at", Message: "is in the past"})
		return
	}
	edit := content.Edit{Text: e.Text, Link: e.Link, ScheduledAt: e.ScheduledAt, NotAfter: e.NotAfter}
	if e.ScheduledAt == nil || e.ScheduledAt.IsZero() || s.opt.Slots == nil {
		p, err := s.opt.Queue.Edit(r.Context(), r.PathValue("id"), edit, actor(r))
		s.apiPostResult(w, r, p, err)
		return
	}
	p, err := s.apiMove(r, edit)
	s.apiPostResult(w, r, p, err)
}

// apiMove is an edit that gives a post a new slot: the slot is held to the
// network's limits (caps, spacings, quiet hours, the post's not_after) as a
// move in the calendar is. The slot is checked before anything changes, so
// that a refused slot leaves the post as it was; an approved post then
// takes it through the scheduler's Move, which checks again in the same
// step, after the edit's other fields are applied with its slot kept.
func (s *Server) apiMove(r *http.Request, edit content.Edit) (content.Post, error) {
	ctx, id, at := r.Context(), r.PathValue("id"), *edit.ScheduledAt
	p, err := s.opt.Queue.Get(ctx, id)
	if err != nil {
		return content.Post{}, err
	}
	v, err := s.opt.Slots.CheckSlot(ctx, p, at)
	if err != nil {
		return content.Post{}, err
	}
	if !v.OK() {
		return content.Post{}, &slotRefused{post: p, at: at, verdict: v}
	}
	if p.State != content.StateApproved {
		// A pending post holds no slot yet: the edit sets the one it will take.
		return s.opt.Queue.Edit(ctx, id, edit, actor(r))
	}
	if edit.Text != nil || edit.Link != nil || edit.NotAfter != nil {
		keep := p.ScheduledAt // zero: it had none, and the move gives it one
		edit.ScheduledAt = &keep
		if p, err = s.opt.Queue.Edit(ctx, id, edit, actor(r)); err != nil {
			return content.Post{}, err
		}
	}
	v, moved, err := s.opt.Slots.Move(ctx, p, at, actor(r))
	if err != nil {
		return content.Post{}, err
	}
	if !v.OK() {
		return content.Post{}, &slotRefused{post: p, at: at, verdict: v}
	}
	return moved, nil
}

func (s *Server) apiPostResult(w http.ResponseWriter, r *http.Request, p content.Post, err error) {
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	p.Source = urlredact.URL(p.Source)
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request) {
	var none struct{}
	if err := decodeJSON(w, r, &none, true); err != nil {
		s.apiFail(w, r, err)
		return
	}
	p, err := s.opt.Queue.Approve(r.Context(), r.PathValue("id"), actor(r))
	s.apiPostResult(w, r, p, err)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReject(w http.ResponseWriter, r *http.Request) {
	var b reasonBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if strings.TrimSpace(b.Reason) == "" {
		s.apiFail(w, r, &content.FieldError{Field: "reason", Message: "is required to reject a post"})
		return
	}
	p, err := s.opt.Queue.Reject(r.Context(), r.PathValue("id"), actor(r), strings.TrimSpace(b.Reason))
	s.apiPostResult(w, r, p, err)
}

func (s *Server) apiRetry(w http.ResponseWriter, r *http.Request) {
	var none struct{}
	if err := decodeJSON(w, r, &none, true); err != nil {
		s.apiFail(w, r, err)
		return
	}
	p, err := s.opt.Queue.Retry(r.Context(), r.PathValue("id"), actor(r))
	s.apiPostResult(w, r, p, err)
}

type resolutionBody struct {
	Published  *bool  `json:"published"`
	URL        string `json:"url"`
	ExternalID string `json:"external_id"`
	Reason     string `json:"reason"`
}

func (s *Server) apiResolve(w http.ResponseWriter, r *http.Request) {
	var b resolutionBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	switch {
	case b.Published == nil:
		s.apiFail(w, r, &content.FieldError{Field: "published", Message: "is required (true or false)"})
		return
	case *b.Published && !strings.HasPrefix(b.URL, "https://") && !strings.HasPrefix(b.URL, "http://"):
		s.apiFail(w, r, &content.FieldError{Field: "url", Message: "is required when published is true: the post's URL on the network"})
		return
	case !*b.Published && strings.TrimSpace(b.Reason) == "":
		s.apiFail(w, r, &content.FieldError{Field: "reason", Message: "is required when published is false"})
		return
	}
	p, err := s.opt.Queue.Resolve(r.Context(), r.PathValue("id"), actor(r), content.Resolution{
		Published: *b.Published, ExternalURL: b.URL, ExternalID: b.ExternalID, Reason: strings.TrimSpace(b.Reason)})
	s.apiPostResult(w, r, p, err)
}

func (s *Server) apiCreatePost(w http.ResponseWriter, r *http.Request) {
	var m manualPost
	if err := decodeJSON(w, r, &m, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	posts, err := s.createManual(r.Context(), m, actor(r))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, NewList(posts, len(posts), 0, len(posts)))
}

func (s *Server) feedsOrFail(w http.ResponseWriter, r *http.Request) bool {
	if s.opt.Feeds == nil {
		writeAPIError(w, http.StatusNotFound, "not_found", "feeds are not configured", "")
		return false
	}
	return true
}

func (s *Server) apiFeeds(w http.ResponseWriter, r *http.Request) {
	if !s.feedsOrFail(w, r) {
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	fs, err := s.opt.Feeds.List(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	id, _ := identityFrom(r.Context())
	fs = redactFeeds(id, fs)
	total := len(fs)
	from := min(offset, total)
	fs = fs[from : from+min(limit, total-from)]
	writeJSON(w, http.StatusOK, NewList(fs, total, offset, limit))
}

type feedBody struct {
	URL         string   `json:"url"`
	Schedule    string   `json:"schedule"`
	Keywords    []string `json:"keywords"`
	Lang        string   `json:"lang"`
	AutoApprove bool     `json:"auto_approve"`
	Networks    []string `json:"networks"`
}

func (s *Server) apiAddFeed(w http.ResponseWriter, r *http.Request) {
	if !s.feedsOrFail(w, r) {
		return
	}
	var b feedBody
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := checkFeedURL(b.URL)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	for _, n := range b.Networks {
		if !slices.Contains(s.opt.EnabledNetworks, n) {
			s.apiFail(w, r, &content.FieldError{Field: "networks", Message: n + " is not an enabled network"})
			return
		}
	}
	f := content.Feed{URL: u, Schedule: b.Schedule, Keywords: b.Keywords, Lang: b.Lang, AutoApprove: b.AutoApprove, Networks: b.Networks}
	if err := s.opt.Feeds.Add(r.Context(), f); err != nil {
		s.apiFail(w, r, feedFault(err))
		return
	}
	s.log.Info("feed added", "feed_url", urlredact.URL(u), "actor", actor(r))
	writeJSON(w, http.StatusCreated, f)
}

func (s *Server) apiRemoveFeed(w http.ResponseWriter, r *http.Request) {
	if !s.feedsOrFail(w, r) {
		return
	}
	u := r.URL.Query().Get("url")
	if u == "" {
		s.apiFail(w, r, invalidParam("url", "url is required"))
		return
	}
	if err := s.opt.Feeds.Remove(r.Context(), u); err != nil {
		s.apiFail(w, r, feedFault(err))
		return
	}
	s.log.Info("feed removed", "feed_url", urlredact.URL(u), "actor", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	limit, err := pageInt(r, "limit", 100, 1, 1000)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	lines, err := s.opt.Queue.AuditLog(r.Context(), limit)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewList(lines, len(lines), 0, limit))
}

func (s *Server) apiNetworks(w http.ResponseWriter, r *http.Request) {
	var st []bots.NetworkStatus
	if s.opt.Networks != nil {
		var err error
		if st, err = s.opt.Networks.NetworkStatus(r.Context()); err != nil {
			s.apiFail(w, r, err)
			return
		}
	} else {
		for _, n := range s.opt.EnabledNetworks {
			st = append(st, bots.NetworkStatus{Network: n, Enabled: true})
		}
	}
	writeJSON(w, http.StatusOK, NewList(st, len(st), 0, len(st)))
}

func (s *Server) apiResumeNetwork(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.resume(r, name); err != nil {
		s.apiFail(w, r, err)
		return
	}
	st := bots.NetworkStatus{Network: name, Enabled: true}
	if s.opt.Networks != nil {
		all, err := s.opt.Networks.NetworkStatus(r.Context())
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		for _, n := range all {
			if n.Network == name {
				st = n
			}
		}
	}
	writeJSON(w, http.StatusOK, st)
}
