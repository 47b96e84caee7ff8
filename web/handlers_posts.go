package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.queueView(r.Context(), parseQueueFilter(r.URL.Query()))
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "queue", s.page(w, r, "queue", "queue.title", d))
}

type postData struct {
	Post postView
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.opt.Queue.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, content.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "err.post_not_found")
		return
	}
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "post", s.page(w, r, "", "post.title", postData{Post: s.namer(r.Context()).view(p)}))
}

// done ends an action that changes no post (feeds, networks): a notice, as
// a flash and a redirect or as an htmx answer.
func (s *Server) done(w http.ResponseWriter, r *http.Request, err error, okMsg string, fallback string) {
	if err != nil {
		status, n := s.failure(r, err)
		s.answer(w, r, status, n, nil, fallback)
		return
	}
	s.answer(w, r, http.StatusOK, notice{Kind: "ok", Msg: okMsg}, nil, fallback)
}

func actor(r *http.Request) string {
	id, _ := identityFrom(r.Context())
	return id.Actor
}

// place gives freshly approved posts their slots now rather than at the next
// publish run, so the answer can say when each goes out, and returns them as
// they now are. A paused network's posts wait for it to resume: they are not
// placed. Without a scheduler the posts are returned as they are.
func (s *Server) place(ctx context.Context, posts []content.Post) []content.Post {
	if s.opt.Slots == nil || len(posts) == 0 {
		return posts
	}
	paused := map[string]bool{}
	for _, n := range s.pausedNetworks(ctx) {
		paused[n.Network] = true
	}
	var nets []string
	for _, p := range posts {
		if p.State == content.StateApproved && p.ScheduledAt.IsZero() && !paused[p.Network] && !slices.Contains(nets, p.Network) {
			nets = append(nets, p.Network)
		}
	}
	slices.Sort(nets)
	for _, n := range nets {
		if err := s.opt.Slots.PlanNetwork(ctx, n); err != nil {
			// The publish run places them anyway; the notice says so.
			s.log.Warn("unable to place approved posts at once", "network", n, "error", err)
		}
	}
	out := make([]content.Post, 0, len(posts))
	for _, p := range posts {
		if fresh, err := s.opt.Queue.Get(ctx, p.ID); err == nil {
			p = fresh
		}
		out = append(out, p)
	}
	return out
}

// goesOut says when and where approved posts go out: one post by its slot,
// several by the first and last; posts without a slot by why.
func (s *Server) goesOut(ctx context.Context, l locale, posts []content.Post, lead string) notice {
	now := s.now().In(s.loc)
	paused := map[string]bool{}
	for _, n := range s.pausedNetworks(ctx) {
		paused[n.Network] = true
	}
	var placed []content.Post
	var held, expired, waiting []content.Post
	for _, p := range posts {
		switch {
		case p.State == content.StateExpired:
			expired = append(expired, p)
		case p.State == content.StatePublished || p.State == content.StatePublishing:
			placed = append(placed, p)
		case paused[p.Network]:
			held = append(held, p)
		case !p.ScheduledAt.IsZero():
			placed = append(placed, p)
		default:
			waiting = append(waiting, p)
		}
	}
	slices.SortFunc(placed, func(a, b content.Post) int { return slotOf(a).Compare(slotOf(b)) })
	var parts []string
	if lead != "" {
		parts = append(parts, lead)
	}
	at := func(p content.Post) string { return l.dateTime(slotOf(p).In(s.loc), now) }
	switch {
	case len(placed) == 1 && len(posts) == 1:
		parts = append(parts, l.T("notice.goes_out", at(placed[0]), l.Net(placed[0].Network)))
	case len(placed) == 1:
		parts = append(parts, l.T("notice.one_goes_out", at(placed[0]), l.Net(placed[0].Network)))
	case len(placed) > 1:
		first, last := placed[0], placed[len(placed)-1]
		parts = append(parts, l.T("notice.first_last", at(first), l.Net(first.Network), at(last), l.Net(last.Network)))
	}
	// One post is "it"; several are counted.
	say := func(key string, ps []content.Post, args ...any) {
		if len(ps) == 0 {
			return
		}
		if len(posts) == 1 {
			parts = append(parts, l.T(key+"_it", args...))
			return
		}
		parts = append(parts, l.N(key, len(ps), args...))
	}
	if len(held) > 0 {
		say("notice.held", held, l.Net(held[0].Network))
	}
	say("notice.waiting", waiting)
	say("notice.expired", expired)
	kind := "ok"
	if len(expired) > 0 {
		kind = "error"
	}
	return notice{Kind: kind, Msg: strings.Join(parts, " ")}
}

// slotOf is when a post goes (or went) out.
func slotOf(p content.Post) time.Time {
	if !p.PublishedAt.IsZero() {
		return p.PublishedAt
	}
	return p.ScheduledAt
}

func (s *Server) postApprove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, err := s.opt.Queue.Approve(r.Context(), id, actor(r))
	if err != nil {
		s.fail(w, r, err, "/", id)
		return
	}
	l := localeFrom(r.Context())
	posts := s.place(r.Context(), []content.Post{p})
	s.answer(w, r, http.StatusOK, s.goesOut(r.Context(), l, posts, l.T("notice.approved")), posts, "/")
}

func (s *Server) postReject(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	id := r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		s.fail(w, r, fieldErr("reason", l.T("err.reason_required")), "/")
		return
	}
	p, err := s.opt.Queue.Reject(r.Context(), id, actor(r), reason)
	if err != nil {
		s.fail(w, r, err, "/", id)
		return
	}
	s.answer(w, r, http.StatusOK, notice{Kind: "ok", Msg: l.T("notice.rejected", reason)}, []content.Post{p}, "/")
}

func (s *Server) postEdit(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	id := r.PathValue("id")
	var e content.Edit
	if _, ok := r.PostForm["text"]; ok {
		t := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
		e.Text = &t
	}
	if _, ok := r.PostForm["link"]; ok {
		link := strings.TrimSpace(r.PostFormValue("link"))
		e.Link = &link
	}
	p, err := s.opt.Queue.Edit(r.Context(), id, e, actor(r))
	if err != nil {
		s.fail(w, r, err, "/", id)
		return
	}
	if p.State == content.StateApproved {
		// The edit gave up the slot: place the post again.
		posts := s.place(r.Context(), []content.Post{p})
		s.answer(w, r, http.StatusOK, s.goesOut(r.Context(), l, posts, l.T("notice.saved")), posts, "/")
		return
	}
	s.answer(w, r, http.StatusOK, notice{Kind: "ok", Msg: l.T("notice.saved")}, []content.Post{p}, "/")
}

// postSchedule moves an approved post to a time typed (or dropped in the
// calendar) in the platform's time zone, if the time is to come and fits
// the network's rules; otherwise it says which rule refuses it and offers
// the nearest time that fits.
func (s *Server) postSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localeFrom(ctx)
	id := r.PathValue("id")
	at, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("scheduled_at"), s.loc)
	if err != nil {
		s.fail(w, r, fieldErr("scheduled_at", l.T("err.field", l.T("fieldname.scheduled_at"), l.T("err.bad_time"))), "/calendar")
		return
	}
	p, err := s.opt.Queue.Get(ctx, id)
	if err != nil {
		s.fail(w, r, err, "/calendar", id)
		return
	}
	if p.State != content.StateApproved {
		s.fail(w, r, &badRequest{status: http.StatusConflict, code: "wrong_state", msg: l.T("err.move_not_approved", l.T("state."+string(p.State))), local: true}, "/calendar", id)
		return
	}
	now := s.now()
	if !at.After(now) {
		s.fail(w, r, fieldErr("scheduled_at", l.T("err.slot.past", l.dateTime(at, now.In(s.loc)))), "/calendar", id)
		return
	}
	if s.opt.Slots != nil {
		var v bots.SlotVerdict
		v, p, err = s.opt.Slots.Move(ctx, p, at, actor(r))
		if err != nil {
			s.fail(w, r, err, "/calendar", id)
			return
		}
		if !v.OK() {
			n := s.slotRefusal(l, p, at, v)
			s.answer(w, r, http.StatusUnprocessableEntity, n, []content.Post{p}, "/calendar")
			return
		}
	} else if p, err = s.opt.Queue.Edit(ctx, id, content.Edit{ScheduledAt: &at}, actor(r)); err != nil {
		s.fail(w, r, err, "/calendar", id)
		return
	}
	s.answer(w, r, http.StatusOK, s.goesOut(ctx, l, []content.Post{p}, l.T("notice.moved")), []content.Post{p}, "/calendar")
}

// slotRefusal says why a post cannot go at a time, with the nearest time
// that fits as an offer.
func (s *Server) slotRefusal(l locale, p content.Post, at time.Time, v bots.SlotVerdict) notice {
	now := s.now().In(s.loc)
	when := l.dateTime(at.In(s.loc), now)
	var why string
	switch v.Rule {
	case "past":
		why = l.T("err.slot.past", when)
	case "not_after":
		why = l.T("err.slot.not_after", l.dateTime(p.NotAfter.In(s.loc), now))
	case "quiet_hours":
		why = l.T("err.slot.quiet", l.clock(v.Until.In(s.loc)))
	case "daily_cap":
		why = l.N("err.slot.daily_cap", v.Cap, l.Net(p.Network), l.date(v.Day.In(s.loc), now))
	case "min_spacing":
		why = l.T("err.slot.min_spacing", l.clock(v.Conflict.In(s.loc)), l.duration(v.Spacing), l.Net(p.Network))
	case "campaign_spacing":
		why = l.T("err.slot.campaign_spacing", l.clock(v.Conflict.In(s.loc)), l.duration(v.Spacing))
	default:
		why = l.T("reason.unknown")
	}
	n := notice{Kind: "error", Msg: l.T("err.slot.refused", when, why)}
	if !v.Next.IsZero() {
		next := l.dateTime(v.Next.In(s.loc), now)
		n.Msg += " " + l.T("err.slot.next", next)
		n.Offer = &moveOffer{PostID: p.ID, At: v.Next.In(s.loc).Format("2006-01-02T15:04"), Label: l.T("err.slot.take", next)}
	}
	return n
}

func (s *Server) postRetry(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	id := r.PathValue("id")
	p, err := s.opt.Queue.Retry(r.Context(), id, actor(r))
	if err != nil {
		s.fail(w, r, err, "/problems", id)
		return
	}
	posts := s.place(r.Context(), []content.Post{p})
	s.answer(w, r, http.StatusOK, s.goesOut(r.Context(), l, posts, l.T("notice.retried")), posts, "/problems")
}

func (s *Server) postResolve(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	id := r.PathValue("id")
	res := content.Resolution{Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	switch r.PostFormValue("published") {
	case "true":
		res.Published = true
		res.ExternalURL = strings.TrimSpace(r.PostFormValue("url"))
		if !strings.HasPrefix(res.ExternalURL, "https://") && !strings.HasPrefix(res.ExternalURL, "http://") {
			s.fail(w, r, fieldErr("url", l.T("err.url_required")), "/problems")
			return
		}
	case "false":
		if res.Reason == "" {
			s.fail(w, r, fieldErr("reason", l.T("err.reason_required")), "/problems")
			return
		}
	default:
		s.fail(w, r, fieldErr("published", l.T("err.field", "published", l.T("err.true_false"))), "/problems")
		return
	}
	p, err := s.opt.Queue.Resolve(r.Context(), id, actor(r), res)
	if err != nil {
		s.fail(w, r, err, "/problems", id)
		return
	}
	msg := l.T("notice.discarded")
	if res.Published {
		msg = l.T("notice.marked_published")
	}
	s.answer(w, r, http.StatusOK, notice{Kind: "ok", Msg: msg}, []content.Post{p}, "/problems")
}

// maxBulk bounds one bulk action.
const maxBulk = 500

// postBulk approves or rejects several posts: the checked ones, or a group's.
// Each post is its own step; one that moved meanwhile does not stop the others.
func (s *Server) postBulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localeFrom(ctx)
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		s.fail(w, r, fieldErr("id", l.T("err.none_selected")), "/")
		return
	}
	if len(ids) > maxBulk {
		ids = ids[:maxBulk]
	}
	action := r.PostFormValue("action")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if action != "approve" && action != "reject" {
		s.fail(w, r, fieldErr("action", l.T("err.field", "action", l.T("err.approve_or_reject"))), "/")
		return
	}
	if action == "reject" && reason == "" {
		s.fail(w, r, fieldErr("reason", l.T("err.reason_required")), "/")
		return
	}
	var done []content.Post
	var moved, gone, broken int
	for _, id := range ids {
		var p content.Post
		var err error
		if action == "approve" {
			p, err = s.opt.Queue.Approve(ctx, id, actor(r))
		} else {
			p, err = s.opt.Queue.Reject(ctx, id, actor(r), reason)
		}
		switch {
		case err == nil:
			done = append(done, p)
		case errors.Is(err, content.ErrWrongState):
			moved++
		case errors.Is(err, content.ErrNotFound):
			gone++
		default:
			broken++
			s.log.Error("bulk action failed", "post_id", id, "action", action, "error", err)
		}
	}
	var n notice
	if action == "approve" {
		done = s.place(ctx, done)
		n = s.goesOut(ctx, l, done, l.N("notice.approved_n", len(done)))
	} else {
		n = notice{Kind: "ok", Msg: l.N("notice.rejected_n", len(done))}
	}
	var not []string
	if moved > 0 {
		not = append(not, l.N("notice.not_done_moved", moved))
	}
	if gone > 0 {
		not = append(not, l.N("notice.not_done_gone", gone))
	}
	if broken > 0 {
		not = append(not, l.N("notice.not_done_error", broken))
	}
	if len(not) > 0 {
		n.Kind = "error"
		n.Msg += " " + strings.Join(not, " ")
	}
	// Cards for every id asked: those done, and those someone else moved.
	changed := done
	if moved > 0 {
		for _, id := range ids {
			if !slices.ContainsFunc(done, func(p content.Post) bool { return p.ID == id }) {
				if p, err := s.opt.Queue.Get(ctx, id); err == nil {
					changed = append(changed, p)
				}
			}
		}
	}
	s.log.Info("bulk action", "action", action, "done", len(done), "not_done", moved+gone+broken, "actor", actor(r))
	s.answer(w, r, http.StatusOK, n, changed, "/")
}
