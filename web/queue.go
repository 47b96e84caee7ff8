package web

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"

	"github.com/fanfarehq/fanfare/content"
)

// queuePageSize is how many posts a queue page shows at most; an event's
// posts stay together, so a page may hold a few less.
const queuePageSize = 50

// maxPending bounds what the queue reads to count its filters: far past any
// backlog a person can review, and still a few round trips.
const maxPending = 10_000

// queueFilter is what the queue shows: the filters and the page.
type queueFilter struct {
	Network  string
	Campaign string
	Kind     string
	Lang     string
	Family   string
	Page     int // 1-based
}

func parseQueueFilter(q url.Values) queueFilter {
	f := queueFilter{Network: q.Get("network"), Campaign: q.Get("campaign"), Kind: q.Get("kind"),
		Lang: q.Get("language"), Family: q.Get("family")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	return f
}

// Active reports whether any filter is set.
func (f queueFilter) Active() bool {
	return f.Network != "" || f.Campaign != "" || f.Kind != "" || f.Lang != "" || f.Family != ""
}

// URL is the queue with these filters, on page n.
func (f queueFilter) URL(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"network": f.Network, "campaign": f.Campaign, "kind": f.Kind, "language": f.Lang, "family": f.Family} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// dimensions of the filter, each read from a post: a post has one value of
// each, but for the campaigns a merged post or a digest tells.
var queueDimensions = []struct {
	name   string
	values func(p content.Post) []string
	get    func(f queueFilter) string
}{
	{"network", one(func(p content.Post) string { return p.Network }), func(f queueFilter) string { return f.Network }},
	{"campaign", campaignsOf, func(f queueFilter) string { return f.Campaign }},
	{"kind", one(func(p content.Post) string { return string(p.Kind) }), func(f queueFilter) string { return f.Kind }},
	{"language", one(func(p content.Post) string { return p.Lang }), func(f queueFilter) string { return f.Lang }},
	{"family", one(func(p content.Post) string { return milestoneFamily(p.Milestone) }), func(f queueFilter) string { return f.Family }},
}

func one(value func(p content.Post) string) func(p content.Post) []string {
	return func(p content.Post) []string {
		if v := value(p); v != "" {
			return []string{v}
		}
		return nil
	}
}

// campaignsOf lists the campaigns a post tells, once each.
func campaignsOf(p content.Post) []string {
	var out []string
	if p.CampaignID != "" {
		out = append(out, p.CampaignID)
	}
	for _, c := range p.Covers {
		if !slices.Contains(out, c.CampaignID) {
			out = append(out, c.CampaignID)
		}
	}
	return out
}

// matches reports whether p passes every filter but the one named skip.
func (f queueFilter) matches(p content.Post, skip string) bool {
	for _, d := range queueDimensions {
		if d.name == skip {
			continue
		}
		if want := d.get(f); want != "" && !slices.Contains(d.values(p), want) {
			return false
		}
	}
	return true
}

// facet is one filter with its choices, each counted with the other filters
// applied (how many posts choosing it would show).
type facet struct {
	Name     string // the query parameter
	Label    string
	All      int // posts shown with this filter left out
	Selected string
	Options  []facetOption
}

type facetOption struct {
	Value    string
	Label    string
	Lang     string // the option's own language (a campaign's title)
	Count    int
	Selected bool
}

// facets counts each filter's choices over the pending posts.
func (n *namer) facets(posts []content.Post, f queueFilter) []facet {
	out := make([]facet, 0, len(queueDimensions))
	for _, d := range queueDimensions {
		fc := facet{Name: d.name, Label: n.l.T("filters." + d.name), Selected: d.get(f)}
		counts := map[string]int{}
		for _, p := range posts {
			if !f.matches(p, d.name) {
				continue
			}
			fc.All++
			for _, v := range d.values(p) {
				counts[v]++
			}
		}
		if fc.Selected != "" {
			if _, ok := counts[fc.Selected]; !ok {
				counts[fc.Selected] = 0 // a choice that now matches nothing stays choosable
			}
		}
		for v, c := range counts {
			fc.Options = append(fc.Options, n.facetOption(d.name, v, c, v == fc.Selected))
		}
		slices.SortFunc(fc.Options, func(a, b facetOption) int {
			if d.name == "family" {
				return cmp.Compare(familyRank(a.Value), familyRank(b.Value))
			}
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label))
		})
		out = append(out, fc)
	}
	return out
}

func (n *namer) facetOption(dim, v string, count int, selected bool) facetOption {
	o := facetOption{Value: v, Label: v, Count: count, Selected: selected}
	switch dim {
	case "network":
		o.Label = n.l.Net(v)
	case "campaign":
		c := n.campaign(v)
		if c.Title != "" {
			o.Label, o.Lang = c.Title, c.Lang
		}
	case "kind":
		o.Label = n.l.T("kind." + v)
	case "language":
		if n.l.has("langname." + v) {
			o.Label = n.l.T("langname." + v)
		}
	case "family":
		if n.l.has("family." + v) {
			o.Label = n.l.T("family." + v)
		}
	}
	return o
}

// pendingPosts reads every pending post (up to maxPending), newest first.
func (s *Server) pendingPosts(ctx context.Context) ([]content.Post, int, error) {
	var all []content.Post
	total := 0
	for offset := 0; offset < maxPending; offset += 500 {
		page, t, err := s.opt.Queue.List(ctx, content.ListOptions{State: content.StatePending, Limit: 500, Offset: offset})
		if err != nil {
			return nil, 0, err
		}
		total = t
		all = append(all, page...)
		if len(page) < 500 || len(all) >= total {
			break
		}
	}
	return all, total, nil
}

// paginate cuts groups into pages of at most queuePageSize posts, never
// splitting an event; a group larger than a page gets a page of its own.
func paginate(gs [][]content.Post) [][][]content.Post {
	var pages [][][]content.Post
	var cur [][]content.Post
	n := 0
	for _, g := range gs {
		if n > 0 && n+len(g) > queuePageSize {
			pages = append(pages, cur)
			cur, n = nil, 0
		}
		cur = append(cur, g)
		n += len(g)
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

type queueData struct {
	Filter  queueFilter
	Facets  []facet
	Groups  []group
	Total   int // pending posts in all
	Match   int // posts the filters let through
	Page    int
	Pages   int
	First   int // the first post's number on this page (1-based)
	Last    int
	PrevURL string
	NextURL string
	// Truncated: more pending posts than the queue reads (maxPending).
	Truncated bool
}

// queueView builds the queue's page for a filter.
func (s *Server) queueView(ctx context.Context, f queueFilter) (queueData, error) {
	posts, total, err := s.pendingPosts(ctx)
	if err != nil {
		return queueData{}, err
	}
	n := s.namer(ctx)
	d := queueData{Filter: f, Total: total, Truncated: total > len(posts)}
	d.Facets = n.facets(posts, f)
	var match []content.Post
	for _, p := range posts {
		if f.matches(p, "") {
			match = append(match, p)
		}
	}
	d.Match = len(match)
	pages := paginate(groupRaw(match))
	d.Pages = len(pages)
	d.Page = min(f.Page, max(d.Pages, 1))
	if d.Pages == 0 {
		return d, nil
	}
	for i := 0; i < d.Page-1; i++ {
		for _, g := range pages[i] {
			d.First += len(g)
		}
	}
	d.Groups = n.groupViews(pages[d.Page-1])
	d.First++
	d.Last = d.First - 1
	for _, g := range d.Groups {
		d.Last += len(g.Posts)
	}
	if d.Page > 1 {
		d.PrevURL = f.URL(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = f.URL(d.Page + 1)
	}
	return d, nil
}
