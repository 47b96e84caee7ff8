package curator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/cronspec"
)

// Registry is the Redis-backed list of feeds and of what their last fetch did.
// It implements content.FeedRegistry.
type Registry struct {
	rdb    redis.UniversalClient
	prefix string
	// channels, when set, are the only networks or accounts a feed added at
	// run time may name: the enabled ones.
	channels []string
}

// Only limits the networks a feed added at run time may name to channels
// (the enabled networks and accounts), and returns r.
func (r *Registry) Only(channels []string) *Registry {
	r.channels = slices.Clone(channels)
	return r
}

var _ content.FeedRegistry = (*Registry)(nil)

// NewRegistry returns the feed registry stored under prefix.
func NewRegistry(rdb redis.UniversalClient, prefix string) *Registry {
	return &Registry{rdb: rdb, prefix: prefix}
}

// Add registers a feed read at run time, or changes one added earlier. It
// refuses a feed the config file lists (content.ErrFeedFromConfig).
func (r *Registry) Add(ctx context.Context, f content.Feed) error {
	f, err := NormalizeFeed(f)
	if err != nil {
		return err
	}
	for _, n := range f.Networks {
		if len(r.channels) > 0 && !slices.Contains(r.channels, n) {
			return &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is not an enabled network or account (%s)", n, strings.Join(r.channels, ", "))}
		}
	}
	f.FromConfig = false
	old, found, err := r.getFeed(ctx, f.URL)
	if err != nil {
		return err
	}
	if found && old.FromConfig {
		return fmt.Errorf("%w: %s", content.ErrFeedFromConfig, f.URL)
	}
	return r.put(ctx, f)
}

// Remove forgets a feed added at run time, with its status and seen items.
func (r *Registry) Remove(ctx context.Context, rawURL string) error {
	u := strings.TrimSpace(rawURL)
	f, found, err := r.getFeed(ctx, u)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %s", content.ErrFeedNotFound, u)
	}
	if f.FromConfig {
		return fmt.Errorf("%w: %s", content.ErrFeedFromConfig, u)
	}
	return r.delete(ctx, u)
}

// SyncConfig makes the registry's config feeds those of the config file: it
// adds or updates every feed given (marked FromConfig) and removes the config
// feeds no longer listed. Feeds added at run time stay; a run-time feed that
// the file now lists becomes a config feed. Call it once at start-up.
func (r *Registry) SyncConfig(ctx context.Context, feeds []content.Feed) error {
	want := make(map[string]content.Feed, len(feeds))
	for i, f := range feeds {
		nf, err := NormalizeFeed(f)
		if err != nil {
			return fmt.Errorf("curator: feeds[%d]: %w", i, err)
		}
		nf.FromConfig = true
		want[nf.URL] = nf
	}
	current, err := r.feeds(ctx)
	if err != nil {
		return err
	}
	for _, f := range current {
		if _, ok := want[f.URL]; !ok && f.FromConfig {
			if err := r.delete(ctx, f.URL); err != nil {
				return err
			}
		}
	}
	for _, f := range want {
		if err := r.put(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// List returns every feed with its status, by URL.
func (r *Registry) List(ctx context.Context) ([]content.FeedStatus, error) {
	feeds, err := r.feeds(ctx)
	if err != nil {
		return nil, err
	}
	pipe := r.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(feeds))
	for i, f := range feeds {
		cmds[i] = pipe.HGetAll(ctx, feedStatusKey(r.prefix, f.URL))
	}
	if len(feeds) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("curator: unable to read feed status: %w", err)
		}
	}
	out := make([]content.FeedStatus, len(feeds))
	for i, f := range feeds {
		out[i] = statusFromHash(f, cmds[i].Val())
	}
	return out, nil
}

// Get returns one feed with its status.
func (r *Registry) Get(ctx context.Context, rawURL string) (content.FeedStatus, error) {
	u := strings.TrimSpace(rawURL)
	f, found, err := r.getFeed(ctx, u)
	if err != nil {
		return content.FeedStatus{}, err
	}
	if !found {
		return content.FeedStatus{}, fmt.Errorf("%w: %s", content.ErrFeedNotFound, u)
	}
	h, err := r.rdb.HGetAll(ctx, feedStatusKey(r.prefix, u)).Result()
	if err != nil {
		return content.FeedStatus{}, fmt.Errorf("curator: unable to read feed status: %w", err)
	}
	return statusFromHash(f, h), nil
}

// validators returns the stored ETag and Last-Modified of a feed.
func (r *Registry) validators(ctx context.Context, feedURL string) (etag, lastModified string, err error) {
	vals, err := r.rdb.HMGet(ctx, feedStatusKey(r.prefix, feedURL), statusFieldETag, statusFieldLastModified).Result()
	if err != nil {
		return "", "", fmt.Errorf("curator: unable to read feed validators: %w", err)
	}
	etag, _ = vals[0].(string)
	lastModified, _ = vals[1].(string)
	return etag, lastModified, nil
}

// fetchRecord is what one fetch did, for the status hash.
type fetchRecord struct {
	Status       string // ok, not_modified, error
	At           time.Time
	Err          string
	Title        string
	SetValidator bool
	ETag         string
	LastModified string
	Items        int // -1: unchanged
	Curated      int
}

func (r *Registry) record(ctx context.Context, feedURL string, rec fetchRecord) error {
	setValidators := "0"
	if rec.SetValidator {
		setValidators = "1"
	}
	err := recordFetchScript.Run(ctx, r.rdb,
		[]string{feedsKey(r.prefix), feedStatusKey(r.prefix, feedURL)},
		feedURL, rec.Status, rec.At.UnixMilli(), rec.Err, rec.Title,
		setValidators, rec.ETag, rec.LastModified, rec.Items, rec.Curated,
	).Err()
	if err != nil {
		return fmt.Errorf("curator: unable to record fetch of %s: %w", feedURL, err)
	}
	return nil
}

func (r *Registry) put(ctx context.Context, f content.Feed) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("curator: unable to encode feed: %w", err)
	}
	if err := r.rdb.HSet(ctx, feedsKey(r.prefix), f.URL, b).Err(); err != nil {
		return fmt.Errorf("curator: unable to store feed %s: %w", f.URL, err)
	}
	return nil
}

func (r *Registry) delete(ctx context.Context, feedURL string) error {
	pipe := r.rdb.TxPipeline()
	pipe.HDel(ctx, feedsKey(r.prefix), feedURL)
	pipe.Del(ctx, feedStatusKey(r.prefix, feedURL), feedSeenKey(r.prefix, feedURL))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("curator: unable to remove feed %s: %w", feedURL, err)
	}
	return nil
}

func (r *Registry) getFeed(ctx context.Context, feedURL string) (content.Feed, bool, error) {
	b, err := r.rdb.HGet(ctx, feedsKey(r.prefix), feedURL).Bytes()
	if errors.Is(err, redis.Nil) {
		return content.Feed{}, false, nil
	}
	if err != nil {
		return content.Feed{}, false, fmt.Errorf("curator: unable to read feed %s: %w", feedURL, err)
	}
	var f content.Feed
	if err := json.Unmarshal(b, &f); err != nil {
		return content.Feed{}, false, fmt.Errorf("curator: corrupt feed entry %s: %w", feedURL, err)
	}
	return f, true, nil
}

func (r *Registry) feeds(ctx context.Context) ([]content.Feed, error) {
	all, err := r.rdb.HGetAll(ctx, feedsKey(r.prefix)).Result()
	if err != nil {
		return nil, fmt.Errorf("curator: unable to list feeds: %w", err)
	}
	out := make([]content.Feed, 0, len(all))
	for u, raw := range all {
		var f content.Feed
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			return nil, fmt.Errorf("curator: corrupt feed entry %s: %w", u, err)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b content.Feed) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

func statusFromHash(f content.Feed, h map[string]string) content.FeedStatus {
	s := content.FeedStatus{
		Feed:         f,
		Title:        h[statusFieldTitle],
		LastStatus:   h[statusFieldLastStatus],
		LastError:    h[statusFieldLastError],
		ETag:         h[statusFieldETag],
		LastModified: h[statusFieldLastModified],
	}
	if ms, err := strconv.ParseInt(h[statusFieldLastFetch], 10, 64); err == nil && ms > 0 {
		s.LastFetch = time.UnixMilli(ms).UTC()
	}
	s.Items, _ = strconv.Atoi(h[statusFieldItems])
	s.Curated, _ = strconv.Atoi(h[statusFieldCurated])
	s.ConsecutiveErrors, _ = strconv.Atoi(h[statusFieldErrors])
	return s
}

// NormalizeFeed checks a feed's fields and returns it cleaned up (spaces
// trimmed, empty keywords dropped, networks and language lower-cased). The
// error is a *content.FieldError naming the field.
func NormalizeFeed(f content.Feed) (content.Feed, error) {
	f.URL = strings.TrimSpace(f.URL)
	if f.URL == "" {
		return f, &content.FieldError{Field: "url", Message: "is required"}
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return f, &content.FieldError{Field: "url", Message: fmt.Sprintf("%q is not an absolute http or https URL", f.URL)}
	}
	f.Schedule = strings.TrimSpace(f.Schedule)
	if f.Schedule != "" {
		// The daemon's own parser (schedule.*): five fields or six with
		// seconds, descriptors such as @hourly and @every 30m, CRON_TZ=.
		if _, err := cronspec.Parse(f.Schedule); err != nil {
			return f, &content.FieldError{Field: "schedule", Message: fmt.Sprintf("%q is not a cron spec: %v", f.Schedule, err)}
		}
	}
	var kws []string
	for _, k := range f.Keywords {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if k != matchAll && len(tokenize(k)) == 0 {
			return f, &content.FieldError{Field: "keywords", Message: fmt.Sprintf("%q has no letters or digits", k)}
		}
		kws = append(kws, k)
	}
	f.Keywords = kws
	f.Lang = strings.ToLower(strings.TrimSpace(f.Lang))
	if f.Lang != "" && !validLang(f.Lang) {
		return f, &content.FieldError{Field: "lang", Message: fmt.Sprintf("%q is not a language tag like fr or en-GB", f.Lang)}
	}
	var nets []string
	for _, n := range f.Networks {
		n = strings.ToLower(strings.TrimSpace(n))
		if !slices.Contains(text.Networks, text.NetworkOf(n)) {
			return f, &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is not a network or network@account (%s)", n, strings.Join(text.Networks, ", "))}
		}
		if !slices.Contains(nets, n) {
			nets = append(nets, n)
		}
	}
	f.Networks = nets
	return f, nil
}

func validLang(s string) bool {
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}
