// Package stories is the weekly creator story: it picks the few live
// campaigns most worth telling this week (momentum, almost funded, ending
// and behind), and drafts a story post for each network in the campaign's
// language through the composer.
package stories

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/content/text"
)

const (
	defaultCount    = 3
	defaultLookback = 30 * 24 * time.Hour
	// pageSize and maxCampaigns bound one run's reading of the tracker: the
	// platform has a few thousand live campaigns at most.
	pageSize     = 200
	maxCampaigns = 20_000
	// staleAfter: a weekly story is old news the week after.
	staleAfter = 7 * 24 * time.Hour
)

// CampaignSource is what stories read of the campaign tracker.
type CampaignSource interface {
	List(ctx context.Context, o campaigns.ListOptions) ([]campaigns.Campaign, int, error)
	History(ctx context.Context, id string, since time.Time) ([]campaigns.Sample, error)
}

// DraftSink receives the drafts: the approval queue.
type DraftSink interface {
	Create(ctx context.Context, d content.Draft) (content.Post, bool, error)
}

// PostLister is the part of the queue that tells which campaigns had a story
// lately. When the sink implements it (content.Queue does), campaigns with a
// story post in the last Options.Lookback are skipped; without it, only the
// per-week DedupKey prevents repeats.
type PostLister interface {
	List(ctx context.Context, o content.ListOptions) ([]content.Post, int, error)
}

// Options configure the job. The zero value is usable.
type Options struct {
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default slog.Default()
	Count  int              // stories per run, default 3
	// Lookback: a campaign with a story in this window (before this week)
	// is not told again. Default 30 days.
	Lookback time.Duration
}

// Job is the weekly story job.
type Job struct {
	opts     Options
	src      CampaignSource
	composer *composer.Composer
	sink     DraftSink
}

// Report says what a run did.
type Report struct {
	Week       string      // ISO week, e.g. "2026-W48": part of every DedupKey
	Considered int         // live campaigns read
	Candidates int         // with at least one reason
	Picked     []Candidate // told this run, best first
	Recent     []string    // skipped: told within Lookback
	Created    int         // drafts the queue created
	Existing   int         // drafts the queue already had (a re-run this week)
}

// New builds the job. composer renders the story templates.
func New(o Options, src CampaignSource, c *composer.Composer, sink DraftSink) (*Job, error) {
	if src == nil || c == nil || sink == nil {
		return nil, errors.New("stories: a campaign source, a composer and a sink are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Count < 0 {
		return nil, fmt.Errorf("stories: count %d is negative", o.Count)
	}
	if o.Count == 0 {
		o.Count = defaultCount
	}
	if o.Lookback < 0 {
		return nil, fmt.Errorf("stories: lookback %s is negative", o.Lookback)
	}
	if o.Lookback == 0 {
		o.Lookback = defaultLookback
	}
	return &Job{opts: o, src: src, composer: c, sink: sink}, nil
}

// Week is the ISO week of t in UTC, as in the stories' DedupKey.
func Week(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// DedupKey is the key of a campaign's story in a week: the queue makes one
// post per key and network, so a re-run in the same week makes no second
// story for the campaign.
func DedupKey(campaignID, week string) string { return "story:" + campaignID + ":" + week }

// Run picks this week's campaigns and queues their stories. It is what the
// schedule.stories cron runs. A failure on one campaign does not stop the
// others; the error joins them.
func (j *Job) Run(ctx context.Context) (Report, error) {
	now := j.opts.Now()
	rep := Report{Week: Week(now)}
	live, err := j.live(ctx)
	if err != nil {
		return rep, err
	}
	rep.Considered = len(live)

	var errs []error
	var cands []Candidate
	for _, c := range live {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		h, err := j.src.History(ctx, c.ID, now.Add(-momentumWeek))
		if err != nil {
			// Without history the other reasons still count.
			j.opts.Logger.Warn("stories: no pledge history", "campaign_id", c.ID, "error", err)
			h = nil
		}
		if cand := score(c, h, now); cand.Score > 0 {
			cands = append(cands, cand)
		}
	}
	rep.Candidates = len(cands)
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Campaign.ID, b.Campaign.ID))
	})

	for _, cand := range cands {
		if len(rep.Picked) == j.opts.Count {
			break
		}
		recent, err := j.toldRecently(ctx, cand.Campaign.ID, rep.Week, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if recent {
			rep.Recent = append(rep.Recent, cand.Campaign.ID)
			continue
		}
		created, existing, err := j.queue(ctx, cand, rep.Week, now)
		rep.Created += created
		rep.Existing += existing
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep.Picked = append(rep.Picked, cand)
		j.opts.Logger.Info("stories: campaign picked", "campaign_id", cand.Campaign.ID,
			"score", cand.Score, "reasons", cand.Reasons, "week", rep.Week)
	}
	j.opts.Logger.Info("stories: run done", "week", rep.Week, "considered", rep.Considered,
		"candidates", rep.Candidates, "picked", len(rep.Picked), "created", rep.Created, "existing", rep.Existing)
	return rep, errors.Join(errs...)
}

// live reads every live campaign, page by page.
func (j *Job) live(ctx context.Context) ([]campaigns.Campaign, error) {
	var out []campaigns.Campaign
	for offset := 0; offset < maxCampaigns; offset += pageSize {
		page, total, err := j.src.List(ctx, campaigns.ListOptions{State: campaigns.StateLive, Offset: offset, Limit: pageSize})
		if err != nil {
			return nil, fmt.Errorf("stories: unable to list live campaigns: %w", err)
		}
		for _, c := range page {
			if c.State == campaigns.StateLive {
				out = append(out, c)
			}
		}
		if len(page) == 0 || offset+len(page) >= total {
			break
		}
	}
	return out, nil
}

// toldRecently reports whether the campaign had a story within Lookback,
// other than this week's (a re-run this week must find the same picks so
// that the queue's dedupe makes nothing new).
func (j *Job) toldRecently(ctx context.Context, campaignID, week string, now time.Time) (bool, error) {
	pl, ok := j.sink.(PostLister)
	if !ok {
		return false, nil
	}
	thisWeek := DedupKey(campaignID, week)
	since := now.Add(-j.opts.Lookback)
	for offset := 0; ; offset += 100 {
		posts, total, err := pl.List(ctx, content.ListOptions{CampaignID: campaignID, Limit: 100, Offset: offset})
		if err != nil {
			return false, fmt.Errorf("stories: unable to list posts of %s: %w", campaignID, err)
		}
		for _, p := range posts {
			if p.Kind == content.KindStory && p.GroupID != thisWeek && p.CreatedAt.After(since) {
				return true, nil
			}
		}
		// Posts come newest first: past the window, nothing older matters.
		if len(posts) == 0 || offset+len(posts) >= total || posts[len(posts)-1].CreatedAt.Before(since) {
			return false, nil
		}
	}
}

// queue drafts the campaign's story for every network and hands the drafts
// to the sink.
func (j *Job) queue(ctx context.Context, cand Candidate, week string, now time.Time) (created, existing int, err error) {
	c := cand.Campaign
	key := DedupKey(c.ID, week)
	notAfter := now.Add(staleAfter)
	if c.Deadline.Before(notAfter) {
		notAfter = c.Deadline
	}
	extra := map[string]any{"Reasons": cand.Reasons, "Score": cand.Score}
	var errs []error
	for _, network := range j.composer.Channels(c) {
		r, err := j.composer.Render(composer.FamilyStory, network, c, extra)
		if err != nil {
			errs = append(errs, fmt.Errorf("stories: unable to write the %s story of %s: %w", network, c.ID, err))
			continue
		}
		d := content.Draft{
			DedupKey:   key,
			GroupID:    key,
			Kind:       content.KindStory,
			Network:    network,
			CampaignID: c.ID,
			Text:       r.Text,
			Link:       r.Link,
			ImageURL:   c.ImageURL,
			ImageAlt:   composer.ImageAltFor(network, c),
			Lang:       r.Lang,
			Variant:    r.Variant,
			Priority:   j.composer.Priority(composer.FamilyStory),
			NotAfter:   notAfter,
			Actor:      "system:stories",
		}
		if d.ImageAlt == "" {
			// Facebook: a photo post with the campaign's image, the story's
			// picture (its link card would show a small one).
			d.ImageAlt = text.StripMarks(text.Inert(c.Title))
		}
		_, isNew, err := j.sink.Create(ctx, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("stories: unable to queue the %s story of %s: %w", network, c.ID, err))
			continue
		}
		if isNew {
			created++
		} else {
			existing++
		}
	}
	return created, existing, errors.Join(errs...)
}
