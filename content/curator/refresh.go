package curator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/cronspec"
	"github.com/fanfarehq/fanfare/internal/urlredact"
)

// Fetch outcomes, as FeedStatus.LastStatus and FeedResult.Status say them.
const (
	StatusOK          = "ok"
	StatusNotModified = "not_modified"
	StatusError       = "error"
	StatusSkipped     = "skipped" // RefreshAll only: the feed's own schedule is not due
)

// FeedResult is what refreshing one feed did.
type FeedResult struct {
	URL      string        `json:"url"`
	Status   string        `json:"status"`
	Error    string        `json:"error,omitempty"`
	Items    int           `json:"items"`    // in the document
	New      int           `json:"new"`      // not seen before
	Relevant int           `json:"relevant"` // new and matching a keyword or a campaign
	Drafts   int           `json:"drafts"`   // posts created in the queue
	Duration time.Duration `json:"duration"`
}

// RefreshReport sums up a RefreshAll.
type RefreshReport struct {
	Feeds       int          `json:"feeds"`
	OK          int          `json:"ok"`
	NotModified int          `json:"not_modified"`
	Failed      int          `json:"failed"`
	Skipped     int          `json:"skipped"`
	Drafts      int          `json:"drafts"`
	Results     []FeedResult `json:"results"`
}

// RefreshAll refreshes every registered feed that is due: a feed without a
// schedule every time (the daemon's schedule.feeds job sets the pace), one
// with a schedule when it is due since its last fetch. One broken feed does not
// stop the others: its error is in its result and its status. The error is for
// the run as a whole (registry unreadable, ctx done).
func (c *Curator) RefreshAll(ctx context.Context) (RefreshReport, error) {
	if c.rdb == nil || c.sink == nil {
		return RefreshReport{}, errNoStore
	}
	feeds, err := c.reg.List(ctx)
	if err != nil {
		return RefreshReport{}, err
	}
	now := c.opts.Now()
	rep := RefreshReport{Feeds: len(feeds), Results: make([]FeedResult, len(feeds))}
	var due []int
	for i, f := range feeds {
		if !isDue(f, now, c.opts.Location) {
			rep.Results[i] = FeedResult{URL: f.URL, Status: StatusSkipped}
			continue
		}
		// Overwritten by the fetch; stays when ctx ends before the feed's turn.
		rep.Results[i] = FeedResult{URL: f.URL, Status: StatusError, Error: "not fetched: refresh interrupted"}
		due = append(due, i)
	}
	due = interleaveByHost(due, func(i int) string { return hostOf(feeds[i].URL) })

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(c.opts.Concurrency, len(due)) {
		wg.Go(func() {
			for i := range jobs {
				// Per-feed errors are in the result and the feed's status.
				rep.Results[i], _ = c.Refresh(ctx, feeds[i].Feed)
			}
		})
	}
feed:
	for _, i := range due {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	for _, r := range rep.Results {
		switch r.Status {
		case StatusOK:
			rep.OK++
		case StatusNotModified:
			rep.NotModified++
		case StatusSkipped:
			rep.Skipped++
		default:
			rep.Failed++
		}
		rep.Drafts += r.Drafts
	}
	c.opts.Logger.Info("curator: feeds refreshed", "feeds", rep.Feeds, "ok", rep.OK,
		"not_modified", rep.NotModified, "failed", rep.Failed, "skipped", rep.Skipped, "drafts", rep.Drafts)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("curator: refresh interrupted: %w", err)
	}
	return rep, nil
}

// isDue says whether a feed with its own schedule should be fetched now: its
// next activation after the last fetch has come. The spec is read in loc (the
// platform's time zone) unless it names its own with CRON_TZ=.
func isDue(f content.FeedStatus, now time.Time, loc *time.Location) bool {
	if f.Schedule == "" || f.LastFetch.IsZero() {
		return true
	}
	sched, err := cronspec.Parse(f.Schedule)
	if err != nil {
		return true // NormalizeFeed let no bad spec in; fetch rather than go silent
	}
	return !sched.Next(f.LastFetch.In(loc)).After(now)
}

// interleaveByHost orders work round-robin across hosts, so that the workers
// are not all queued behind one host's concurrency limit while others idle.
func interleaveByHost(idx []int, host func(int) string) []int {
	byHost := map[string][]int{}
	var hosts []string
	for _, i := range idx {
		h := host(i)
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], i)
	}
	out := make([]int, 0, len(idx))
	for round := 0; len(out) < len(idx); round++ {
		for _, h := range hosts {
			if round < len(byHost[h]) {
				out = append(out, byHost[h][round])
			}
		}
	}
	return out
}

// RefreshURL refreshes one registered feed now (the dashboard's "fetch now").
func (c *Curator) RefreshURL(ctx context.Context, feedURL string) (FeedResult, error) {
	f, err := c.reg.Get(ctx, feedURL)
	if err != nil {
		return FeedResult{URL: feedURL, Status: StatusError, Error: err.Error()}, err
	}
	return c.Refresh(ctx, f.Feed)
}

// Refresh fetches one feed and drafts its relevant new items. A fetch or parse
// failure is returned, logged with the feed's URL and recorded in its status
// (when the feed is registered). A queue or Redis failure while drafting is
// returned too; the items concerned are fetched and tried again next time.
func (c *Curator) Refresh(ctx context.Context, feed content.Feed) (FeedResult, error) {
	if c.rdb == nil || c.sink == nil {
		return FeedResult{URL: feed.URL, Status: StatusError, Error: errNoStore.Error()}, errNoStore
	}
	start := time.Now()
	res, err := c.refresh(ctx, feed)
	res.Duration = time.Since(start)
	return res, err
}

var errNoStore = errors.New("curator: refreshing needs a Redis client and a draft sink (NewCurator got nil)")

func (c *Curator) refresh(ctx context.Context, feed content.Feed) (FeedResult, error) {
	feed, err := NormalizeFeed(feed)
	if err != nil {
		return FeedResult{URL: feed.URL, Status: StatusError, Error: err.Error()}, fmt.Errorf("curator: %w", err)
	}
	res := FeedResult{URL: feed.URL}
	log := c.opts.Logger.With("feed_url", urlredact.URL(feed.URL))

	etag, lastModified, err := c.reg.validators(ctx, feed.URL)
	if err != nil {
		return c.failed(res, err)
	}
	release, err := c.hosts.acquire(ctx, hostOf(feed.URL))
	if err != nil {
		return c.failed(res, fmt.Errorf("curator: %s: %w", feed.URL, err))
	}
	resp, err := c.get(ctx, feed.URL, etag, lastModified)
	release()
	fetchedAt := c.opts.Now()
	if err != nil {
		return c.fetchFailed(ctx, log, res, feed, fetchedAt, err)
	}
	if resp.NotModified {
		res.Status = StatusNotModified
		rec := fetchRecord{Status: StatusNotModified, At: fetchedAt, Items: -1}
		if resp.ETag != "" || resp.LastModified != "" {
			rec.SetValidator = true
			rec.ETag = cmp.Or(resp.ETag, etag)
			rec.LastModified = cmp.Or(resp.LastModified, lastModified)
		}
		if err := c.reg.record(ctx, feed.URL, rec); err != nil {
			return c.failed(res, err)
		}
		log.Debug("curator: feed not modified")
		return res, nil
	}
	parsed, err := c.parse(resp.Body, resp.ContentType)
	if err != nil {
		return c.fetchFailed(ctx, log, res, feed, fetchedAt, err)
	}
	res.Items = len(parsed.Items)

	stats, curateErr := c.curate(ctx, feed, parsed, resp.FinalURL, fetchedAt)
	res.New, res.Relevant, res.Drafts = stats.fresh, stats.relevant, stats.drafts
	rec := fetchRecord{
		Status:  StatusOK,
		At:      fetchedAt,
		Title:   strings.TrimSpace(plainText(parsed.Title)),
		Items:   res.Items,
		Curated: res.Drafts,
		// After a drafting failure the validators stay as they were, so the
		// next fetch gets the whole document again and retries the items.
		SetValidator: curateErr == nil,
		ETag:         resp.ETag,
		LastModified: resp.LastModified,
	}
	if curateErr != nil {
		rec.Status, rec.Err = StatusError, curateErr.Error()
		res.Status, res.Error = StatusError, curateErr.Error()
	} else {
		res.Status = StatusOK
	}
	if err := c.reg.record(ctx, feed.URL, rec); err != nil {
		return c.failed(res, errors.Join(curateErr, err))
	}
	if curateErr != nil {
		log.Error("curator: unable to draft feed items", "error", curateErr)
		return res, fmt.Errorf("curator: %s: %w", feed.URL, curateErr)
	}
	log.Debug("curator: feed refreshed", "items", res.Items, "new", res.New,
		"relevant", res.Relevant, "drafts", res.Drafts)
	return res, nil
}

// fetchFailed records and logs a document that could not be had or used.
func (c *Curator) fetchFailed(ctx context.Context, log *slog.Logger, res FeedResult, feed content.Feed, at time.Time, cause error) (FeedResult, error) {
	res.Status, res.Error = StatusError, cause.Error()
	log.Warn("curator: feed skipped", "error", fetchCause(cause))
	err := fmt.Errorf("curator: %s: %w", feed.URL, cause)
	if rerr := c.reg.record(ctx, feed.URL, fetchRecord{Status: StatusError, At: at, Err: cause.Error(), Items: -1}); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return res, err
}

func (c *Curator) failed(res FeedResult, err error) (FeedResult, error) {
	res.Status, res.Error = StatusError, err.Error()
	return res, err
}
