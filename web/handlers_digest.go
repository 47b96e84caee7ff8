package web

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
)

// digestPage is a digest's public page: every campaign it tells, which its
// post names only as many of as the network's length allows. The post links
// here, so the page must answer as soon as the post is on its way to the
// network (a card crawler fetches it at once); before that, a digest is a
// draft and nobody outside sees it.
func (s *Server) digestPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.opt.Queue.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, content.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		s.fail(w, r, err, "/")
		return
	}
	if p.Kind != content.KindDigest || !slices.Contains([]content.State{content.StatePublishing, content.StatePublished, content.StateUnknown}, p.State) {
		http.NotFound(w, r)
		return
	}
	type item struct {
		Campaign   campaigns.Campaign
		Link       string
		Milestones []string
	}
	var items []item
	for _, cv := range p.Covers {
		i := slices.IndexFunc(items, func(it item) bool { return it.Campaign.ID == cv.CampaignID })
		if i < 0 {
			c, _, err := s.opt.Campaigns.Get(r.Context(), cv.CampaignID)
			if err != nil && !errors.Is(err, campaigns.ErrNotFound) {
				s.fail(w, r, err, "/")
				return
			}
			if c.ID == "" {
				c = campaigns.Campaign{ID: cv.CampaignID, Title: cv.CampaignID}
			}
			link, _ := composer.TagURL(c.URL, p.Network, "fanfare-digest", p.ID) // "" for a bad URL: no link
			items = append(items, item{Campaign: c, Link: link})
			i = len(items) - 1
		}
		items[i].Milestones = append(items[i].Milestones, cv.Milestone)
	}
	l := newLocale(p.Lang) // the digest's readers read its language
	r = r.WithContext(context.WithValue(r.Context(), localeKey, l))
	pd := s.page(w, r, "", "digest.title", struct {
		Post  content.Post
		Items []item
	}{p, items})
	pd.Title = l.T("digest.title")
	s.render(w, http.StatusOK, "digest", pd)
}
