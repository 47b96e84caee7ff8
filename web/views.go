package web

import (
	"cmp"
	"context"
	"errors"
	"html"
	"html/template"
	"slices"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// coverView is one campaign milestone a post tells, named for people.
type coverView struct {
	CampaignID string
	Title      string // "" when the tracker no longer knows the campaign
	Lang       string // the campaign's language, for lang= on its title
	Milestone  string // raw, as auto-approve rules name it: "percent:200"
	Label      string // as people read it: "financé à 200 %"
}

// Name is the campaign's title, else its id.
func (c coverView) Name() string {
	if c.Title != "" {
		return c.Title
	}
	return c.CampaignID
}

// namer names posts for one request: the campaigns they are about (read once
// each), their milestones in the page's language, a subject for accessible
// names.
type namer struct {
	s     *Server
	ctx   context.Context
	l     locale
	camps map[string]campaigns.Campaign
}

func (s *Server) namer(ctx context.Context) *namer {
	return &namer{s: s, ctx: ctx, l: localeFrom(ctx), camps: map[string]campaigns.Campaign{}}
}

// campaign reads a campaign once per request; a miss or a failing lookup
// gives the zero campaign, and the page shows the id instead of the title.
func (n *namer) campaign(id string) campaigns.Campaign {
	if id == "" {
		return campaigns.Campaign{}
	}
	if c, ok := n.camps[id]; ok {
		return c
	}
	c := n.s.campaign(n.ctx, id)
	n.camps[id] = c
	return c
}

// about is what a post tells. Every page that names a post's campaign and
// milestone goes through here and through the "about" template: one entry
// per campaign, its milestones in words ("Lumière · 50 % · 1 000
// contributeurs" for a merged post), a digest's first campaigns and how
// many more.
func (n *namer) about(p content.Post) []coverView {
	covers := p.Covers
	if len(covers) == 0 {
		if p.CampaignID == "" && p.Milestone == "" {
			return nil
		}
		covers = []content.Cover{{CampaignID: p.CampaignID, Milestone: p.Milestone}}
	}
	var out []coverView
	more := 0
	for _, cv := range covers {
		i := slices.IndexFunc(out, func(v coverView) bool { return v.CampaignID == cv.CampaignID })
		if i < 0 {
			if len(out) == maxAbout {
				more++
				continue
			}
			c := n.campaign(cv.CampaignID)
			out = append(out, coverView{CampaignID: cv.CampaignID, Title: c.Title, Lang: c.Lang, Milestone: cv.Milestone})
			i = len(out) - 1
		}
		if cv.Milestone != "" {
			label := n.l.MilestoneLabel(cv.Milestone, n.campaign(cv.CampaignID).StretchGoals)
			if out[i].Label != "" {
				label = out[i].Label + ", " + label
			}
			out[i].Label = label
		}
	}
	if more > 0 {
		out = append(out, coverView{Label: n.l.N("about.more", more)})
	}
	return out
}

// maxAbout bounds the campaigns a digest's card names; its page lists them
// all.
const maxAbout = 6

// subject names a post in a line: network, then what it tells (or its
// kind), a campaign's title marked with its language. It is HTML, for the
// hidden words that make buttons say which post they act on; attributes
// reach it through aria-labelledby, never as text, so that the language
// marks stay.
func (n *namer) subject(p content.Post, about []coverView) template.HTML {
	parts := []string{html.EscapeString(n.l.Net(p.Network))}
	parts = append(parts, n.aboutHTML(about, p.Kind)...)
	// Only escaped text and our own markup.
	return template.HTML(strings.Join(parts, " · "))
}

// aboutHTML is what a post tells, as escaped pieces.
func (n *namer) aboutHTML(about []coverView, kind content.Kind) []string {
	var parts []string
	for _, c := range about {
		if c.CampaignID != "" {
			name := html.EscapeString(c.Name())
			if c.Lang != "" && c.Lang != n.l.lang {
				name = `<span lang="` + html.EscapeString(c.Lang) + `">` + name + `</span>`
			}
			parts = append(parts, name)
		}
		if c.Label != "" {
			parts = append(parts, html.EscapeString(c.Label))
		}
	}
	if len(about) == 0 {
		parts = append(parts, html.EscapeString(n.l.T("kind."+string(kind))))
	}
	return parts
}

// view is a post ready for a template.
func (n *namer) view(p content.Post) postView {
	v := newPostView(p)
	v.About = n.about(p)
	v.Subject = n.subject(p, v.About)
	return v
}

func (n *namer) views(ps []content.Post) []postView {
	out := make([]postView, len(ps))
	for i, p := range ps {
		out[i] = n.view(p)
	}
	return out
}

// campaign reads a campaign for naming things on a page (see namer.campaign).
func (s *Server) campaign(ctx context.Context, id string) campaigns.Campaign {
	c, _, err := s.opt.Campaigns.Get(ctx, id)
	if err != nil && !errors.Is(err, campaigns.ErrNotFound) {
		s.log.Warn("unable to read campaign", "campaign_id", id, "error", err)
	}
	if err != nil {
		return campaigns.Campaign{}
	}
	return c
}

// group is the posts of one event (GroupID), in the order first seen.
type group struct {
	ID      string
	Kind    content.Kind
	About   []coverView
	Subject template.HTML
	Posts   []postView
}

// PendingIDs lists the group's pending posts, for "approve all" forms.
func (g group) PendingIDs() []string {
	var ids []string
	for _, p := range g.Posts {
		if p.State == content.StatePending {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// DOMID is an element id for the group (its GroupID may hold any character).
func (g group) DOMID() string {
	if len(g.Posts) > 0 {
		return "group-" + g.Posts[0].ID
	}
	return "group"
}

// groupPosts gathers posts by event; inside each, a stable order by network.
// Groups come most urgent first: priority, then the nearest deadline, then
// the newest.
func (n *namer) groupPosts(ps []content.Post) []group {
	return n.groupViews(groupRaw(ps))
}

// groupRaw gathers posts by event (GroupID) without building their views:
// the queue groups every pending post to page them, and builds views only
// for the page shown.
func groupRaw(ps []content.Post) [][]content.Post {
	var gs [][]content.Post
	idx := map[string]int{}
	for _, p := range ps {
		key := p.GroupID
		if key == "" {
			key = "post:" + p.ID
		}
		i, ok := idx[key]
		if !ok {
			i = len(gs)
			idx[key] = i
			gs = append(gs, nil)
		}
		gs[i] = append(gs[i], p)
	}
	for _, g := range gs {
		slices.SortStableFunc(g, func(a, b content.Post) int { return cmp.Compare(a.Network, b.Network) })
	}
	slices.SortStableFunc(gs, func(a, b []content.Post) int { return comparePosts(a[0], b[0]) })
	return gs
}

// groupViews names groups of posts for the templates.
func (n *namer) groupViews(raw [][]content.Post) []group {
	gs := make([]group, 0, len(raw))
	for _, ps := range raw {
		g := group{ID: ps[0].GroupID, Kind: ps[0].Kind, Posts: n.views(ps)}
		g.About = g.Posts[0].About
		g.Subject = template.HTML(strings.Join(n.aboutHTML(g.About, g.Kind), " · "))
		gs = append(gs, g)
	}
	return gs
}

// comparePosts orders events by urgency: priority, then the nearest
// deadline (none last), then the newest.
func comparePosts(pa, pb content.Post) int {
	if c := cmp.Compare(pa.Priority, pb.Priority); c != 0 {
		return c
	}
	switch {
	case pa.NotAfter.IsZero() && !pb.NotAfter.IsZero():
		return 1
	case !pa.NotAfter.IsZero() && pb.NotAfter.IsZero():
		return -1
	case !pa.NotAfter.Equal(pb.NotAfter):
		return pa.NotAfter.Compare(pb.NotAfter)
	}
	return pb.CreatedAt.Compare(pa.CreatedAt)
}
