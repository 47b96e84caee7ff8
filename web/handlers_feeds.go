package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/urlredact"
)

type feedsData struct {
	Configured bool
	CanFetch   bool
	Feeds      []content.FeedStatus
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	d := feedsData{Configured: s.opt.Feeds != nil, CanFetch: s.opt.FetchFeed != nil}
	if s.opt.Feeds != nil {
		fs, err := s.opt.Feeds.List(r.Context())
		if err != nil {
			s.pageFailed(w, r, err)
			return
		}
		d.Feeds = fs
	}
	s.render(w, http.StatusOK, "feeds", s.page(w, r, "feeds", "feeds.title", d))
}

// checkFeedURL keeps the registry to absolute http(s) URLs.
func checkFeedURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &content.FieldError{Field: "url", Message: "must be an absolute http(s) URL"}
	}
	return u.String(), nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (s *Server) feedAdd(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	if s.opt.Feeds == nil {
		s.done(w, r, fieldErr("feeds", l.T("feeds.none")), "", "/feeds")
		return
	}
	u, err := checkFeedURL(r.PostFormValue("url"))
	if err != nil {
		s.done(w, r, err, "", "/feeds")
		return
	}
	f := content.Feed{
		URL: u, Keywords: splitList(r.PostFormValue("keywords")), Lang: strings.TrimSpace(r.PostFormValue("lang")),
		AutoApprove: r.PostFormValue("auto_approve") == "on", Networks: r.PostForm["network"],
	}
	if err := s.opt.Feeds.Add(r.Context(), f); err != nil {
		s.done(w, r, feedFault(err), "", "/feeds")
		return
	}
	s.log.Info("feed added", "feed_url", urlredact.URL(u), "actor", actor(r))
	s.done(w, r, nil, l.T("flash.feed_added"), "/feeds")
}

func (s *Server) feedRemove(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	if s.opt.Feeds == nil {
		s.done(w, r, fieldErr("feeds", l.T("feeds.none")), "", "/feeds")
		return
	}
	if err := s.opt.Feeds.Remove(r.Context(), r.PostFormValue("url")); err != nil {
		s.done(w, r, feedFault(err), "", "/feeds")
		return
	}
	s.log.Info("feed removed", "feed_url", urlredact.URL(r.PostFormValue("url")), "actor", actor(r))
	s.done(w, r, nil, l.T("flash.feed_removed"), "/feeds")
}

// feedFetch fetches one feed now, within the request (bounded), so the page
// that follows shows the result.
func (s *Server) feedFetch(w http.ResponseWriter, r *http.Request) {
	l := localeFrom(r.Context())
	if s.opt.FetchFeed == nil {
		s.done(w, r, fieldErr("fetch", l.T("feeds.no_fetch")), "", "/feeds")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	u := r.PostFormValue("url")
	if err := s.opt.FetchFeed(ctx, u); err != nil {
		s.answer(w, r, http.StatusOK, notice{Kind: "error", Msg: l.T("flash.fetch_failed"), Raw: urlredact.Text(err.Error())}, nil, "/feeds")
		return
	}
	s.done(w, r, nil, l.T("flash.fetched"), "/feeds")
}

// feedFault turns the registry's refusals into answers a person or a client
// can act on; anything else stays an internal error.
func feedFault(err error) error {
	switch {
	case errors.Is(err, content.ErrFeedNotFound):
		return &badRequest{status: http.StatusNotFound, code: "not_found", field: "url", msg: "no feed with that URL"}
	case errors.Is(err, content.ErrFeedFromConfig):
		return &badRequest{status: http.StatusConflict, code: "conflict", field: "url",
			msg: "the feed is listed in the config file: change or remove it there"}
	}
	return err
}

// redactFeeds hides the secrets of feed URLs (and of the errors that quote
// them) from whoever cannot change feeds: viewers, and tokens below admin.
// Those who can change them get them whole, as in the managers' forms: they
// are the ones who need the exact URL to remove or fix a feed.
func redactFeeds(id identity, fs []content.FeedStatus) []content.FeedStatus {
	if id.API && id.Scope >= scopeLevel(ScopeAdmin) || !id.API && id.CanChange() {
		return fs
	}
	out := make([]content.FeedStatus, len(fs))
	for i, f := range fs {
		f.URL = urlredact.URL(f.URL)
		f.LastError = urlredact.Text(f.LastError)
		out[i] = f
	}
	return out
}
