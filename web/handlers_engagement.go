package web

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

// engagementWindow is how far back the Engagement page looks.
const engagementWindow = 30 * 24 * time.Hour

type engagementRow struct {
	Post postView
	Last bots.EngagementSample
	Read bool
}

// engagementGroup is the averages of a set of posts.
type engagementGroup struct {
	Label        string
	Network      string
	Posts        int
	Likes        float64
	Shares       float64
	Replies      float64
	Impressions  float64
	Interactions float64 // likes + shares + replies
}

type engagementData struct {
	Configured   bool
	Days         int
	Rows         []engagementRow
	Variants     []engagementGroup
	VariantChart template.HTML
	Families     []engagementGroup
	FamilyChart  template.HTML
}

// latestReader is what the Engagement page prefers to read: every post's
// newest reading in one round trip (*bots.EngagementJob does).
type latestReader interface {
	Latest(ctx context.Context, postIDs []string) (map[string]bots.EngagementSample, error)
}

// engagementPage shows, over the last 30 days, each published post with its
// campaign, text and latest metrics, and the averages per template variant
// and per milestone family, each as a chart and a table: which posts work.
func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request) {
	d := engagementData{Configured: s.opt.Engagement != nil, Days: int(engagementWindow.Hours() / 24)}
	if s.opt.Engagement == nil {
		s.render(w, http.StatusOK, "engagement", s.page(w, r, "engagement", "engagement.title", d))
		return
	}
	ctx := r.Context()
	l := localeFrom(ctx)
	since := s.now().Add(-engagementWindow)
	posts, _, err := s.opt.Queue.List(ctx, content.ListOptions{State: content.StatePublished, Limit: 500})
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	posts = slices.DeleteFunc(posts, func(p content.Post) bool { return p.PublishedAt.Before(since) })
	latest, err := s.latest(ctx, posts)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	n := s.namer(ctx)
	for i, p := range posts {
		if i >= 50 {
			break
		}
		last, ok := latest[p.ID]
		d.Rows = append(d.Rows, engagementRow{Post: n.view(p), Last: last, Read: ok})
	}
	sum, err := s.opt.Engagement.Summary(ctx, since)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	for _, v := range sum {
		g := engagementGroup{Label: l.variantLabel(v.Kind, v.Variant), Network: v.Network, Posts: v.Posts,
			Likes: v.AvgLikes, Shares: v.AvgShares, Replies: v.AvgReplies, Impressions: v.AvgImpressions}
		g.Interactions = g.Likes + g.Shares + g.Replies
		d.Variants = append(d.Variants, g)
	}
	d.Families = familyAverages(l, posts, latest)
	d.VariantChart = barChart(l.T("engagement.chart_variants"), groupBars(l, d.Variants, true))
	d.FamilyChart = barChart(l.T("engagement.chart_families"), groupBars(l, d.Families, true))
	s.render(w, http.StatusOK, "engagement", s.page(w, r, "engagement", "engagement.title", d))
}

// latest reads each post's newest reading, in one round trip when the
// reader can.
func (s *Server) latest(ctx context.Context, posts []content.Post) (map[string]bots.EngagementSample, error) {
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	if lr, ok := s.opt.Engagement.(latestReader); ok {
		return lr.Latest(ctx, ids)
	}
	out := map[string]bots.EngagementSample{}
	for _, id := range ids {
		series, err := s.opt.Engagement.Series(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(series) > 0 {
			out[id] = series[len(series)-1]
		}
	}
	return out, nil
}

// familyAverages averages the latest readings by network and milestone
// family (or kind, for posts that tell no milestone).
func familyAverages(l locale, posts []content.Post, latest map[string]bots.EngagementSample) []engagementGroup {
	type key struct{ network, family string }
	groups := map[key]*engagementGroup{}
	var order []key
	for _, p := range posts {
		s, ok := latest[p.ID]
		if !ok {
			continue
		}
		k := key{p.Network, "kind:" + string(p.Kind)}
		if f := milestoneFamily(p.Milestone); f != "" {
			k.family = f
		}
		g := groups[k]
		if g == nil {
			label := l.T("kind." + string(p.Kind))
			if fam, isKind := strings.CutPrefix(k.family, "kind:"); !isKind {
				label = l.T("family." + k.family)
				if !l.has("family." + k.family) {
					label = k.family
				}
			} else if !l.has("kind." + fam) {
				label = fam
			}
			g = &engagementGroup{Label: label, Network: p.Network}
			groups[k] = g
			order = append(order, k)
		}
		g.Posts++
		g.Likes += float64(s.Likes)
		g.Shares += float64(s.Shares)
		g.Replies += float64(s.Replies)
		g.Impressions += float64(s.Impressions)
	}
	out := make([]engagementGroup, 0, len(order))
	for _, k := range order {
		g := *groups[k]
		n := float64(g.Posts)
		g.Likes, g.Shares, g.Replies, g.Impressions = g.Likes/n, g.Shares/n, g.Replies/n, g.Impressions/n
		g.Interactions = g.Likes + g.Shares + g.Replies
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b engagementGroup) int {
		return cmp.Or(cmp.Compare(b.Interactions, a.Interactions), cmp.Compare(a.Network, b.Network), cmp.Compare(a.Label, b.Label))
	})
	return out
}

// groupBars turns averages into chart bars: the average interactions per
// post, labelled with the network when asked.
func groupBars(l locale, gs []engagementGroup, withNetwork bool) []bar {
	out := make([]bar, 0, len(gs))
	for _, g := range gs {
		label := g.Label
		if withNetwork {
			label = l.Net(g.Network) + " · " + label
		}
		out = append(out, bar{Label: label, Value: g.Interactions, Shown: l.decimal(g.Interactions, 1)})
	}
	return out
}

// variantLabel names a template variant: "percent/v2" → "financement (%) ·
// variante 2"; a name of another shape shows as is.
func (l locale) variantLabel(kind, variant string) string {
	if variant == "" {
		return l.T("kind."+kind) + " · " + l.T("engagement.no_variant")
	}
	family, v, ok := strings.Cut(variant, "/")
	n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
	if !ok || err != nil || !strings.HasPrefix(v, "v") {
		return variant
	}
	name := family
	if l.has("family." + family) {
		name = l.T("family." + family)
	} else if l.has("kind." + family) {
		name = l.T("kind." + family)
	}
	return l.T("engagement.variant_n", name, n)
}

// decimal formats a number with d decimals in the interface's language
// ("12.5" / "12,5").
func (l locale) decimal(f float64, d int) string {
	s := strconv.FormatFloat(f, 'f', d, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := l.Number(n)
	if frac != "" {
		out += l.T("num.decimal_sep") + frac
	}
	return out
}
