package impact

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// Posts is what the impact reads of the queue (*content.Store has it).
type Posts interface {
	Get(ctx context.Context, id string) (content.Post, error)
	PublishedSince(ctx context.Context, since time.Time) ([]content.Post, error)
}

// Engagement gives posts' impressions where the network reports them
// (*bots.EngagementJob fits through an adapter); optional.
type Engagement interface {
	Impressions(ctx context.Context, postIDs []string) (map[string]int64, error)
}

// ServiceOptions configure a Service.
type ServiceOptions struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Engagement, when set, gives impressions: click-through is then per
	// impression for the posts that have them.
	Engagement Engagement
}

// Service answers what a post did: its clicks, its lift, what the platform
// attributed to it, and the same grouped by campaign, variant, network or
// family; and it chooses template variants (see Bandit).
type Service struct {
	links *Links
	posts Posts
	camps campaigns.Reader
	eng   Engagement
	now   func() time.Time
	log   *slog.Logger
}

// NewService returns the impact of links' posts.
func NewService(links *Links, posts Posts, camps campaigns.Reader, o ServiceOptions) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{links: links, posts: posts, camps: camps, eng: o.Engagement, now: o.Now, log: o.Logger.With("component", "impact")}
}

// Links is the short links the service counts.
func (s *Service) Links() *Links { return s.links }

// PostImpact is what the API adds to a post.
type PostImpact struct {
	ShortURL       string `json:"short_url,omitempty"`
	Clicks         int64  `json:"clicks"`
	UniqueVisitors int64  `json:"unique_visitors"`
	// Lift is estimated (see Lift.Method); nil until the post is published,
	// and for posts that tell no single campaign (digests, curated news).
	Lift              *Lift      `json:"lift"`
	AttributedPledges int64      `json:"attributed_pledges"`
	Attributed        Attributed `json:"attributed"`
}

// PostImpact reads one post's impact.
func (s *Service) PostImpact(ctx context.Context, p content.Post) (PostImpact, error) {
	m, err := s.impacts(ctx, []content.Post{p}, newLiftCache())
	if err != nil {
		return PostImpact{}, err
	}
	return m[p.ID], nil
}

func (s *Service) impacts(ctx context.Context, posts []content.Post, lc *liftCache) (map[string]PostImpact, error) {
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	clicks, err := s.links.Clicks(ctx, ids)
	if err != nil {
		return nil, err
	}
	attr, err := s.links.Attributed(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]PostImpact, len(posts))
	for _, p := range posts {
		c := clicks[p.ID]
		pi := PostImpact{Clicks: c.Clicks, UniqueVisitors: c.UniqueVisitors, AttributedPledges: attr[p.ID].Pledges, Attributed: attr[p.ID]}
		if len(posts) == 1 { // one post's page or API answer; reports go without
			if u, ok, err := s.links.ShortURL(ctx, p.ID); err != nil {
				return nil, err
			} else if ok {
				pi.ShortURL = u
			}
		}
		if pi.Lift, err = s.lift(ctx, p, lc); err != nil {
			return nil, err
		}
		out[p.ID] = pi
	}
	return out, nil
}

// liftCache shares what several lifts read: the campaigns, their
// histories, and when posts went out.
type liftCache struct {
	all       []campaigns.Campaign
	loaded    bool
	hist      map[string]Series
	published []content.Post
	pubSince  time.Time
}

func newLiftCache() *liftCache { return &liftCache{hist: map[string]Series{}} }

// maxComparables bounds the comparable campaigns read for one post: the
// nearest in stage.
const maxComparables = 40

// lift estimates a published post's lift on the campaign it tells; a
// finished estimate (72 h passed) is kept.
func (s *Service) lift(ctx context.Context, p content.Post, lc *liftCache) (*Lift, error) {
	if p.State != content.StatePublished || p.PublishedAt.IsZero() || p.CampaignID == "" || p.Kind == content.KindDigest {
		return nil, nil
	}
	raw, err := s.links.rdb.Get(ctx, s.links.k.lift(p.ID)).Bytes()
	if err == nil {
		var l Lift
		if json.Unmarshal(raw, &l) == nil {
			return &l, nil
		}
	} else if !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("impact: unable to read the lift of post %s: %w", p.ID, err)
	}
	now := s.now()
	t := p.PublishedAt
	camp, _, err := s.camps.Get(ctx, p.CampaignID)
	if errors.Is(err, campaigns.ErrNotFound) {
		return nil, nil // gone: nothing to weigh
	} else if err != nil {
		return nil, err
	}
	hist, err := s.history(ctx, lc, camp.ID, t)
	if err != nil {
		return nil, err
	}
	comps, err := s.comparables(ctx, lc, camp, t)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(p.ID))
	l := EstimateLift(camp.ID, t, now, hist, comps, h.Sum64())
	if !now.Before(t.Add(time.Duration(LiftWindows[len(LiftWindows)-1]) * time.Hour)) {
		if b, err := json.Marshal(l); err == nil {
			if err := s.links.rdb.Set(ctx, s.links.k.lift(p.ID), b, pledgeKeep).Err(); err != nil {
				s.log.Warn("unable to keep a finished lift", "post_id", p.ID, "error", err)
			}
		}
	}
	return &l, nil
}

func (s *Service) history(ctx context.Context, lc *liftCache, id string, t time.Time) (Series, error) {
	if h, ok := lc.hist[id]; ok {
		return h, nil
	}
	h, err := s.camps.History(ctx, id, t.Add(-(BeforeHours+2)*time.Hour))
	if err != nil {
		return nil, err
	}
	lc.hist[id] = h
	return h, nil
}

// comparables are the histories of campaigns like camp at t (IsComparable)
// that no post of ours told between 24 h before t and 72 h after.
func (s *Service) comparables(ctx context.Context, lc *liftCache, camp campaigns.Campaign, t time.Time) ([]Series, error) {
	if !lc.loaded {
		for off := 0; ; off += 500 {
			cs, total, err := s.camps.List(ctx, campaigns.ListOptions{Offset: off, Limit: 500})
			if err != nil {
				return nil, err
			}
			lc.all = append(lc.all, cs...)
			if off+500 >= total || len(cs) == 0 {
				break
			}
		}
		lc.loaded = true
	}
	from, to := t.Add(-BeforeHours*time.Hour), t.Add(time.Duration(LiftWindows[len(LiftWindows)-1])*time.Hour)
	if lc.pubSince.IsZero() || from.Before(lc.pubSince) {
		ps, err := s.posts.PublishedSince(ctx, from)
		if err != nil {
			return nil, err
		}
		lc.published, lc.pubSince = ps, from
	}
	told := map[string]bool{}
	for _, p := range lc.published {
		if p.PublishedAt.Before(from) || p.PublishedAt.After(to) {
			continue
		}
		told[p.CampaignID] = true
		for _, c := range p.Covers {
			told[c.CampaignID] = true
		}
	}
	var cands []campaigns.Campaign
	for _, o := range lc.all {
		if !told[o.ID] && IsComparable(camp, o, t) {
			cands = append(cands, o)
		}
	}
	stage := Stage(camp, t)
	slices.SortFunc(cands, func(a, b campaigns.Campaign) int {
		return cmp.Or(cmp.Compare(math.Abs(Stage(a, t)-stage), math.Abs(Stage(b, t)-stage)), cmp.Compare(a.ID, b.ID))
	})
	var out []Series
	for _, o := range cands[:min(len(cands), maxComparables)] {
		h, err := s.history(ctx, lc, o.ID, t)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Grouping names what a report groups posts by.
var Groupings = []string{"post", "campaign", "variant", "network", "family"}

// Row is one group of published posts in a report.
type Row struct {
	Key               string  `json:"key"`
	Network           string  `json:"network,omitempty"` // variants and families are per network
	Posts             int     `json:"posts"`
	Clicks            int64   `json:"clicks"`
	UniqueVisitors    int64   `json:"unique_visitors"`
	ClicksPerPost     float64 `json:"clicks_per_post"`
	Impressions       int64   `json:"impressions,omitempty"`
	AttributedPledges int64   `json:"attributed_pledges"`
	// Lift is the geometric mean of the posts' 24 h lifts (against
	// comparable campaigns where there were enough, else against their own
	// rate), with a 95 % interval over the posts; nil without any.
	Lift *Estimate `json:"lift"`
	// LiftPosts have a lift estimate; Claimed of them leave zero out of
	// their interval.
	LiftPosts int `json:"lift_posts"`
	Claimed   int `json:"claimed"`
	// Best marks the group that works best: the most clicks per post among
	// those of its network (for variants and families), with at least 3
	// posts and a click.
	Best bool `json:"best"`

	logLifts []float64
	first    *Estimate
}

// Report is the impact of the posts published in a period, grouped.
type Report struct {
	GroupBy string    `json:"group_by"`
	Since   time.Time `json:"since"`
	Method  string    `json:"method"`
	Rows    []Row     `json:"rows"`
}

// Report groups the posts published since a time.
func (s *Service) Report(ctx context.Context, groupBy string, since time.Time) (Report, error) {
	if !slices.Contains(Groupings, groupBy) {
		return Report{}, fmt.Errorf("impact: group_by %q is not one of %s", groupBy, strings.Join(Groupings, ", "))
	}
	posts, err := s.posts.PublishedSince(ctx, since)
	if err != nil {
		return Report{}, err
	}
	lc := newLiftCache()
	// Every post's comparables are checked against the posts published
	// around it: read them once, from 24 h before the oldest.
	from := since.Add(-BeforeHours * time.Hour)
	if lc.published, err = s.posts.PublishedSince(ctx, from); err != nil {
		return Report{}, err
	}
	lc.pubSince = from
	imps, err := s.impacts(ctx, posts, lc)
	if err != nil {
		return Report{}, err
	}
	var impressions map[string]int64
	if s.eng != nil {
		ids := make([]string, len(posts))
		for i, p := range posts {
			ids[i] = p.ID
		}
		if impressions, err = s.eng.Impressions(ctx, ids); err != nil {
			return Report{}, err
		}
	}
	rows := map[string]*Row{}
	var order []string
	for _, p := range posts {
		key, network := groupKey(groupBy, p)
		id := network + "\x00" + key
		r := rows[id]
		if r == nil {
			r = &Row{Key: key, Network: network}
			rows[id] = r
			order = append(order, id)
		}
		im := imps[p.ID]
		r.Posts++
		r.Clicks += im.Clicks
		r.UniqueVisitors += im.UniqueVisitors
		r.AttributedPledges += im.AttributedPledges
		r.Impressions += impressions[p.ID]
		if im.Lift != nil {
			if _, e, _ := im.Lift.Headline(); e != nil {
				r.LiftPosts++
				r.logLifts = append(r.logLifts, math.Log1p(e.Lift))
				if r.first == nil {
					r.first = e
				}
				if e.Claimed {
					r.Claimed++
				}
			}
		}
	}
	out := Report{GroupBy: groupBy, Since: since, Method: LiftMethod}
	rng := rand.New(rand.NewPCG(uint64(since.Unix()), 7))
	for _, id := range order {
		r := rows[id]
		r.ClicksPerPost = float64(r.Clicks) / float64(r.Posts)
		r.Lift = meanLift(r.logLifts, rng)
		if len(r.logLifts) == 1 {
			r.Lift = r.first // one post: its own estimate and interval
		}
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Network, b.Network), cmp.Compare(b.ClicksPerPost, a.ClicksPerPost), cmp.Compare(a.Key, b.Key))
	})
	if groupBy == "variant" || groupBy == "family" || groupBy == "network" {
		best := map[string]int{}
		for i, r := range out.Rows {
			if r.Posts < 3 || r.Clicks == 0 {
				continue
			}
			if j, ok := best[r.Network]; !ok || r.ClicksPerPost > out.Rows[j].ClicksPerPost {
				best[r.Network] = i
			}
		}
		for _, i := range best {
			out.Rows[i].Best = true
		}
	}
	return out, nil
}

// groupKey is a post's group and, for variants and families, its network.
func groupKey(by string, p content.Post) (key, network string) {
	switch by {
	case "post":
		return p.ID, p.Network
	case "campaign":
		if p.CampaignID == "" {
			return "-", ""
		}
		return p.CampaignID, ""
	case "variant":
		v := p.Variant
		if v == "" {
			v = string(p.Kind)
		}
		return p.Lang + ":" + v, p.Network
	case "network":
		return p.Network, ""
	}
	return Family(p), p.Network
}

// Family is the milestone family a post tells ("percent"), or its kind.
func Family(p content.Post) string {
	if p.Kind == content.KindMilestone && p.Milestone != "" {
		f, _, _ := strings.Cut(p.Milestone, ":")
		if len(p.Covers) > 1 {
			return "merged"
		}
		return f
	}
	return string(p.Kind)
}

// meanLift is the geometric mean of lifts (given as log(1+lift)) with a 95 %
// interval over the posts (bootstrap spread, Student's t); nil for fewer
// than two.
func meanLift(logs []float64, rng *rand.Rand) *Estimate {
	if len(logs) == 0 {
		return nil
	}
	if len(logs) < 2 {
		return nil
	}
	point := mean(logs)
	draws := make([]float64, 0, bootstrapRounds)
	for range bootstrapRounds {
		draws = append(draws, resampleMean(logs, rng))
	}
	return tInterval(point, draws, len(logs), len(logs))
}
