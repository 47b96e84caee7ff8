package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fanfarehq/fanfare/content"
)

// Actions answer two ways. A form posted by the browser alone (no script)
// gets the classic answer: a flash and a redirect back (PRG). A form posted
// by htmx gets only what changed, every piece swapped out of band by id: the
// post cards (fresh from the queue), the notice in the page's live region,
// the navigation's counts, the calendar. The page never reloads, keeps its
// scroll, and app.js puts the focus where the person was.

// isHX reports an htmx request.
func isHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// notice is the message an action leaves, in the interface's language.
type notice struct {
	Kind string // "ok" or "error"
	Msg  string
	Raw  string // behind "details" when not empty
	// Offer is another time a refused move could take, as a button.
	Offer *moveOffer
}

// moveOffer proposes a time for a post that could not go where it was put.
type moveOffer struct {
	PostID string
	At     string // datetime-local value in the platform's zone
	Label  string
}

// cardContext says where cards are shown, for the answer to render them the
// same way: the queue shows what happened to a post in a short line, the
// problems page likewise, a post's own page in full.
func cardContext(r *http.Request) string {
	switch c := r.PostFormValue("ctx"); c {
	case "queue", "problems", "calendar", "page":
		return c
	}
	return "page"
}

// hxAnswer is the data of the "hx-answer" template.
type hxAnswer struct {
	Notice   *notice
	Cards    []postView
	Ctx      string
	Calendar *calendarData
}

// answer ends an action. Without htmx it is the flash and the redirect; with
// htmx the changed cards, the notice and the counts, out of band.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, n notice, changed []content.Post, fallback string) {
	if !isHX(r) {
		msg := n.Msg
		if n.Raw != "" {
			msg += " (" + n.Raw + ")"
		}
		s.setFlash(w, n.Kind, msg)
		s.back(w, r, fallback)
		return
	}
	a := hxAnswer{Notice: &n, Ctx: cardContext(r)}
	if a.Ctx != "calendar" { // the calendar is redrawn instead
		a.Cards = s.namer(r.Context()).views(changed)
	}
	if a.Ctx == "calendar" {
		cd, err := s.calendarView(r, r.PostForm)
		if err != nil {
			s.log.Error("unable to render the calendar after an action", "error", err)
		} else {
			a.Calendar = &cd
		}
	}
	p := s.page(w, r, "", "", a)
	// The cards' forms come back to the page the person is on, not to the
	// action's URL.
	if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && isLocalPath(u.RequestURI()) {
		p.Path, p.Query = u.Path, u.RawQuery
	}
	s.fragment(w, status, "hx-answer", p)
}

// fragment executes a partial template alone (an htmx answer).
func (s *Server) fragment(w http.ResponseWriter, status int, name string, p pageData) {
	var buf bytes.Buffer
	if err := s.pages[fragmentsPage].ExecuteTemplate(&buf, name, &p); err != nil {
		s.log.Error("unable to render fragment", "fragment", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, &buf)
}

// failure turns an action's error into a status and a notice a person can
// act on: the queue's refusals are theirs to read, not a 500.
func (s *Server) failure(r *http.Request, err error) (int, notice) {
	l := localeFrom(r.Context())
	var fe *content.FieldError
	var br *badRequest
	switch {
	case errors.As(err, &br):
		if br.local {
			return br.status, notice{Kind: "error", Msg: br.msg}
		}
		if e := l.explain(br.msg, s.loc, s.now()); e.Known {
			return br.status, notice{Kind: "error", Msg: e.Text}
		}
		return br.status, notice{Kind: "error", Msg: l.T("reason.unknown"), Raw: br.msg}
	case errors.Is(err, content.ErrNotFound):
		return http.StatusNotFound, notice{Kind: "error", Msg: l.T("err.post_not_found")}
	case errors.Is(err, content.ErrWrongState):
		return http.StatusConflict, notice{Kind: "error", Msg: l.T("err.wrong_state_now")}
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity, s.fieldNotice(r, fe)
	}
	s.log.Error("post action failed", "path", r.URL.Path, "error", err)
	return http.StatusInternalServerError, notice{Kind: "error", Msg: l.T("err.internal")}
}

// fieldNotice says which field is wrong and why, in the interface's language.
func (s *Server) fieldNotice(r *http.Request, fe *content.FieldError) notice {
	l := localeFrom(r.Context())
	field := fe.Field
	if l.has("fieldname." + field) {
		field = l.T("fieldname." + field)
	}
	e := l.explain(fe.Message, s.loc, s.now())
	if !e.Known {
		return notice{Kind: "error", Msg: l.T("err.field", field, l.T("reason.unknown")), Raw: fe.Message}
	}
	return notice{Kind: "error", Msg: l.T("err.field", field, e.Text)}
}

// fieldErr is a web-side field error whose message is already in the
// interface's language.
func fieldErr(field, msg string) *badRequest {
	return &badRequest{status: http.StatusUnprocessableEntity, code: "invalid", field: field, msg: msg, local: true}
}

// fail answers an action that went wrong: the notice, and the post's card as
// it now is (someone else may have decided it meanwhile).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, fallback string, ids ...string) {
	status, n := s.failure(r, err)
	if status == http.StatusInternalServerError && !isHX(r) && r.Method == http.MethodGet {
		s.renderError(w, r, status, "err.internal")
		return
	}
	var fresh []content.Post
	for _, id := range ids {
		if p, gerr := s.opt.Queue.Get(r.Context(), id); gerr == nil {
			fresh = append(fresh, p)
			if errors.Is(err, content.ErrWrongState) {
				n.Msg = localeFrom(r.Context()).T("err.wrong_state", localeFrom(r.Context()).T("state."+string(p.State)))
			}
		}
	}
	s.answer(w, r, status, n, fresh, fallback)
}

// pageFailed logs an unexpected error behind a page and shows a generic one.
func (s *Server) pageFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.renderError(w, r, http.StatusInternalServerError, "err.internal")
}

// joinIDs lists ids for a log line.
func joinIDs(ids []string) string { return strings.Join(ids, ",") }
