package web

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// fakeQueue is an in-memory content.Queue with the real lifecycle rules, so
// the handlers are tested against behaviour, not canned answers.
type fakeQueue struct {
	mu    sync.Mutex
	now   func() time.Time
	seq   int
	posts map[string]*content.Post
	dedup map[string]string
	audit []content.AuditLine
	// failNext makes the next call fail with this error (a Redis outage).
	failNext error
}

func newFakeQueue(now func() time.Time) *fakeQueue {
	return &fakeQueue{now: now, posts: map[string]*content.Post{}, dedup: map[string]string{}}
}

func (q *fakeQueue) takeFailure() error {
	err := q.failNext
	q.failNext = nil
	return err
}

func (q *fakeQueue) record(p *content.Post, actor, action string, to content.State, reason string) {
	c := content.Change{At: q.now(), Actor: actor, Action: action, From: p.State, To: to, Reason: reason}
	p.Audit = append(p.Audit, c)
	q.audit = append(q.audit, content.AuditLine{PostID: p.ID, Change: c})
	if to != "" {
		p.State = to
	}
	p.UpdatedAt = q.now()
}

func (q *fakeQueue) Create(ctx context.Context, d content.Draft) (content.Post, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.takeFailure(); err != nil {
		return content.Post{}, false, err
	}
	if d.Network == "" {
		return content.Post{}, false, &content.FieldError{Field: "network", Message: "is required"}
	}
	if res, err := text.Check(d.Network, d.Text); err != nil || !res.Valid {
		return content.Post{}, false, &content.FieldError{Field: "text", Message: "is not valid for " + d.Network}
	}
	key := d.DedupKey + "|" + d.Network
	if id, ok := q.dedup[key]; ok {
		return *q.posts[id], false, nil
	}
	q.seq++
	now := q.now()
	p := &content.Post{
		ID: fakeID(q.seq), GroupID: d.GroupID, Kind: d.Kind, Network: d.Network, CampaignID: d.CampaignID,
		Milestone: d.Milestone, Covers: d.Covers, Text: d.Text, Link: d.Link, ImageURL: d.ImageURL, Lang: d.Lang, Variant: d.Variant,
		Source: d.Source, Priority: d.Priority, NotAfter: d.NotAfter, CreatedAt: now, UpdatedAt: now,
	}
	q.posts[p.ID] = p
	q.dedup[key] = p.ID
	q.record(p, d.Actor, "create", content.StatePending, "")
	return *p, true, nil
}

// add stores a post as is (for setting up published or failed posts).
func (q *fakeQueue) add(p content.Post) content.Post {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	if p.ID == "" {
		p.ID = fakeID(q.seq)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = q.now().Add(time.Duration(q.seq) * time.Millisecond)
	}
	if p.Lang == "" {
		p.Lang = "en"
	}
	cp := p
	q.posts[p.ID] = &cp
	return p
}

func (q *fakeQueue) Get(ctx context.Context, id string) (content.Post, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.takeFailure(); err != nil {
		return content.Post{}, err
	}
	p, ok := q.posts[id]
	if !ok {
		return content.Post{}, content.ErrNotFound
	}
	return *p, nil
}

func (q *fakeQueue) List(ctx context.Context, o content.ListOptions) ([]content.Post, int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.takeFailure(); err != nil {
		return nil, 0, err
	}
	var all []content.Post
	for _, p := range q.posts {
		family, _, _ := strings.Cut(p.Milestone, ":")
		if (o.State == "" || p.State == o.State) && (o.CampaignID == "" || p.CampaignID == o.CampaignID) &&
			(o.Network == "" || p.Network == o.Network) && (o.GroupID == "" || p.GroupID == o.GroupID) &&
			(o.Kind == "" || p.Kind == o.Kind) && (o.Lang == "" || p.Lang == o.Lang) &&
			(o.Family == "" || (p.Milestone != "" && family == o.Family)) {
			all = append(all, *p)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.After(all[j].CreatedAt)
		}
		return all[i].ID > all[j].ID
	})
	limit := o.Limit
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, 500)
	total := len(all)
	return all[min(o.Offset, total):min(o.Offset+limit, total)], total, nil
}

func (q *fakeQueue) Counts(ctx context.Context) (map[content.State]int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := map[content.State]int{}
	for _, p := range q.posts {
		m[p.State]++
	}
	return m, nil
}

func (q *fakeQueue) transition(id string, from []content.State, f func(p *content.Post) error) (content.Post, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.takeFailure(); err != nil {
		return content.Post{}, err
	}
	p, ok := q.posts[id]
	if !ok {
		return content.Post{}, content.ErrNotFound
	}
	if !slices.Contains(from, p.State) {
		return content.Post{}, fmt.Errorf("%w: post %s is %s", content.ErrWrongState, id, p.State)
	}
	if err := f(p); err != nil {
		return content.Post{}, err
	}
	return *p, nil
}

func (q *fakeQueue) Edit(ctx context.Context, id string, e content.Edit, actor string) (content.Post, error) {
	return q.transition(id, []content.State{content.StatePending, content.StateApproved}, func(p *content.Post) error {
		if e.Text != nil {
			if res, _ := text.Check(p.Network, *e.Text); !res.Valid {
				return &content.FieldError{Field: "text", Message: fmt.Sprintf("%d/%d is too long", res.WeightedLength, res.Max)}
			}
			p.Text = *e.Text
		}
		if e.Link != nil {
			p.Link = *e.Link
		}
		if e.ScheduledAt != nil {
			p.ScheduledAt = *e.ScheduledAt
			p.SlotNote = "set by hand"
		}
		if e.NotAfter != nil {
			p.NotAfter = *e.NotAfter
		}
		q.record(p, actor, "edit", "", "")
		return nil
	})
}

func (q *fakeQueue) Approve(ctx context.Context, id, actor string) (content.Post, error) {
	return q.transition(id, []content.State{content.StatePending}, func(p *content.Post) error {
		q.record(p, actor, "approve", content.StateApproved, "")
		return nil
	})
}

func (q *fakeQueue) Reject(ctx context.Context, id, actor, reason string) (content.Post, error) {
	if strings.TrimSpace(reason) == "" {
		return content.Post{}, &content.FieldError{Field: "reason", Message: "is required"}
	}
	return q.transition(id, []content.State{content.StatePending}, func(p *content.Post) error {
		q.record(p, actor, "reject", content.StateRejected, reason)
		return nil
	})
}

func (q *fakeQueue) Retry(ctx context.Context, id, actor string) (content.Post, error) {
	return q.transition(id, []content.State{content.StateFailed, content.StateUnknown, content.StateDuplicate}, func(p *content.Post) error {
		p.LastError = ""
		q.record(p, actor, "retry", content.StateApproved, "")
		return nil
	})
}

func (q *fakeQueue) Resolve(ctx context.Context, id, actor string, r content.Resolution) (content.Post, error) {
	return q.transition(id, []content.State{content.StateFailed, content.StateUnknown, content.StateDuplicate}, func(p *content.Post) error {
		if r.Published {
			p.ExternalURL, p.ExternalID, p.PublishedAt = r.ExternalURL, r.ExternalID, q.now()
			q.record(p, actor, "resolve", content.StatePublished, r.Reason)
			return nil
		}
		q.record(p, actor, "resolve", content.StateRejected, r.Reason)
		return nil
	})
}

func (q *fakeQueue) AuditLog(ctx context.Context, limit int) ([]content.AuditLine, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []content.AuditLine
	for i := len(q.audit) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, q.audit[i])
	}
	return out, nil
}

func (q *fakeQueue) post(id string) content.Post {
	q.mu.Lock()
	defer q.mu.Unlock()
	return *q.posts[id]
}

// fakeCampaigns is an in-memory campaigns.Reader.
type fakeCampaigns struct {
	mu      sync.Mutex
	byID    map[string]campaigns.Campaign
	fired   map[string][]campaigns.FiredMilestone
	history map[string][]campaigns.Sample
}

func newFakeCampaigns() *fakeCampaigns {
	return &fakeCampaigns{byID: map[string]campaigns.Campaign{}, fired: map[string][]campaigns.FiredMilestone{},
		history: map[string][]campaigns.Sample{}}
}

func (f *fakeCampaigns) put(c campaigns.Campaign, fired []campaigns.FiredMilestone, hist []campaigns.Sample) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byID[c.ID] = c
	f.fired[c.ID] = fired
	f.history[c.ID] = hist
}

func (f *fakeCampaigns) Get(ctx context.Context, id string) (campaigns.Campaign, []campaigns.FiredMilestone, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byID[id]
	if !ok {
		return campaigns.Campaign{}, nil, campaigns.ErrNotFound
	}
	return c, f.fired[id], nil
}

func (f *fakeCampaigns) List(ctx context.Context, o campaigns.ListOptions) ([]campaigns.Campaign, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []campaigns.Campaign
	for _, c := range f.byID {
		if o.State == "" || c.State == o.State {
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if (all[i].State == campaigns.StateLive) != (all[j].State == campaigns.StateLive) {
			return all[i].State == campaigns.StateLive
		}
		return all[i].Deadline.Before(all[j].Deadline)
	})
	limit := o.Limit
	if limit == 0 {
		limit = 50
	}
	total := len(all)
	return all[min(o.Offset, total):min(o.Offset+limit, total)], total, nil
}

func (f *fakeCampaigns) History(ctx context.Context, id string, since time.Time) ([]campaigns.Sample, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []campaigns.Sample
	for _, s := range f.history[id] {
		if !s.At.Before(since) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeCampaigns) MatchURL(ctx context.Context, u string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, c := range f.byID {
		if c.URL == u {
			return id, true, nil
		}
	}
	return "", false, nil
}

// fakeFeeds is an in-memory content.FeedRegistry.
type fakeFeeds struct {
	mu    sync.Mutex
	feeds []content.FeedStatus
}

func (f *fakeFeeds) Add(ctx context.Context, feed content.Feed) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.feeds {
		if x.URL == feed.URL {
			if x.FromConfig {
				return fmt.Errorf("%w: %s", content.ErrFeedFromConfig, feed.URL)
			}
			f.feeds[i].Feed = feed // the registry updates a run-time feed
			return nil
		}
	}
	f.feeds = append(f.feeds, content.FeedStatus{Feed: feed})
	return nil
}

func (f *fakeFeeds) Remove(ctx context.Context, url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.feeds {
		if x.URL == url {
			if x.FromConfig {
				return fmt.Errorf("%w: %s", content.ErrFeedFromConfig, url)
			}
			f.feeds = append(f.feeds[:i], f.feeds[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: %s", content.ErrFeedNotFound, url)
}

func (f *fakeFeeds) List(ctx context.Context) ([]content.FeedStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.feeds), nil
}

// fakeEngagement serves fixed series and summaries.
type fakeEngagement struct {
	series  map[string][]bots.EngagementSample
	summary []bots.EngagementSummary
}

func (f *fakeEngagement) Series(ctx context.Context, postID string) ([]bots.EngagementSample, error) {
	return f.series[postID], nil
}

func (f *fakeEngagement) Summary(ctx context.Context, since time.Time) ([]bots.EngagementSummary, error) {
	return f.summary, nil
}

type fakeNetworks struct {
	mu     sync.Mutex
	status []bots.NetworkStatus
}

func (f *fakeNetworks) NetworkStatus(ctx context.Context) ([]bots.NetworkStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.status), nil
}

// fakeSlots is a SlotPlanner over the fake queue: PlanNetwork places each
// unplaced approved post of a network an hour after the previous one
// (starting an hour from now), CheckSlot answers the verdict set for the
// test (fits by default) and Move moves when it fits, EarliestSlot answers
// the estimate set.
type fakeSlots struct {
	mu       sync.Mutex
	q        *fakeQueue
	now      func() time.Time
	verdict  bots.SlotVerdict
	estimate bots.SlotEstimate
	quiet    *bots.QuietHours
	planned  []string // networks planned, in order
	checked  []time.Time
}

func (f *fakeSlots) PlanNetwork(ctx context.Context, network string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.planned = append(f.planned, network)
	f.q.mu.Lock()
	defer f.q.mu.Unlock()
	var ids []string
	for id, p := range f.q.posts {
		if p.Network == network && p.State == content.StateApproved && p.ScheduledAt.IsZero() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	next := f.now().Add(time.Hour).Truncate(time.Minute)
	for _, p := range f.q.posts {
		if p.Network == network && !p.ScheduledAt.IsZero() && !p.ScheduledAt.Before(next) {
			next = p.ScheduledAt.Add(time.Hour)
		}
	}
	for _, id := range ids {
		p := f.q.posts[id]
		p.ScheduledAt, p.SlotNote = next, "earliest free slot"
		next = next.Add(time.Hour)
	}
	return nil
}

func (f *fakeSlots) CheckSlot(ctx context.Context, p content.Post, at time.Time) (bots.SlotVerdict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checked = append(f.checked, at)
	return f.verdict, nil
}

func (f *fakeSlots) Move(ctx context.Context, p content.Post, at time.Time, actor string) (bots.SlotVerdict, content.Post, error) {
	v, err := f.CheckSlot(ctx, p, at)
	if err != nil || !v.OK() {
		return v, p, err
	}
	moved, err := f.q.Edit(ctx, p.ID, content.Edit{ScheduledAt: &at}, actor)
	return v, moved, err
}

func (f *fakeSlots) EarliestSlot(ctx context.Context, p content.Post) (bots.SlotEstimate, error) {
	return f.estimate, nil
}

func (f *fakeSlots) QuietHours() *bots.QuietHours { return f.quiet }

// fakeID is a ULID-shaped post id, as the real store makes (the edge refuses
// any other).
func fakeID(n int) string { return fmt.Sprintf("01J0000000000000000000%04d", n) }
