package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

type composeData struct {
	Form     manualPost
	When     string // datetime-local value
	Networks []string
	Previews []postView
	Error    string
}

func (s *Server) composePage(w http.ResponseWriter, r *http.Request) {
	d := composeData{Networks: s.opt.EnabledNetworks,
		Form: manualPost{Networks: s.opt.EnabledNetworks, Lang: localeFrom(r.Context()).lang}}
	s.render(w, http.StatusOK, "compose", s.page(w, r, "compose", "compose.title", d))
}

// composeSubmit previews (action=preview, the default) or queues (action=create).
func (s *Server) composeSubmit(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	m := manualPost{
		Networks: r.PostForm["network"],
		Text:     strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"),
		Link:     strings.TrimSpace(r.PostFormValue("link")),
		ImageURL: strings.TrimSpace(r.PostFormValue("image_url")),
		Lang:     strings.TrimSpace(r.PostFormValue("lang")),
		Approve:  r.PostFormValue("approve") == "on",
	}
	d := composeData{Form: m, Networks: s.opt.EnabledNetworks, When: r.PostFormValue("scheduled_at")}
	showErr := func(err error) {
		var fe *content.FieldError
		var sr *slotRefused
		if errors.As(err, &fe) {
			d.Error = s.fieldNotice(r, fe).Msg
		} else if errors.As(err, &sr) {
			d.Error = s.slotRefusal(l, sr.post, sr.at, sr.verdict).Msg
		} else if errors.Is(err, content.ErrWrongState) {
			d.Error = l.T("err.wrong_state_now")
		} else {
			s.log.Error("compose failed", "error", err)
			d.Error = l.T("err.internal")
		}
		s.render(w, http.StatusUnprocessableEntity, "compose", s.page(w, r, "compose", "compose.title", d))
	}
	if d.When != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", d.When, s.loc)
		if err != nil {
			showErr(&content.FieldError{Field: "scheduled_at", Message: "is not a date and time"})
			return
		}
		m.ScheduledAt = &at
	}
	if r.PostFormValue("action") != "create" {
		ds, err := s.drafts(m, actor(r))
		if err != nil {
			showErr(err)
			return
		}
		d.Previews = previewPosts(ds)
		s.render(w, http.StatusOK, "compose", s.page(w, r, "compose", "compose.title", d))
		return
	}
	posts, err := s.createManual(r.Context(), m, actor(r))
	if err != nil {
		showErr(err)
		return
	}
	s.log.Info("manual post queued", "posts", len(posts), "approved", m.Approve, "actor", actor(r))
	s.setFlash(w, "ok", l.N("flash.composed", len(posts)))
	to := "/"
	if m.Approve {
		to = "/calendar"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
