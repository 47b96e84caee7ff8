// Package curator reads partner, press and creator feeds (RSS, Atom, JSON Feed)
// and turns their relevant new items into curated drafts for the approval
// queue: an item is relevant when it names one of the feed's keywords or links
// to a tracked campaign.
//
// Fetches are polite (conditional GET, a User-Agent, bounded concurrency per
// host and in total) and defensive (timeout, size limit, redirect limit, any
// charset); a broken feed is logged, recorded in its status and skipped. Items
// are remembered per feed in Redis, so an item makes drafts once however often
// it is fetched and however many replicas fetch it.
//
// Feed URLs come from the dashboard and the API too, and fetch errors are
// shown there, so the curator's own HTTP client never connects to link-local
// addresses (169.254.0.0/16, fe80::/10: cloud metadata services), unspecified,
// broadcast or multicast ones, or the known metadata addresses outside those
// ranges (ErrForbiddenAddress, from internal/netguard). The check runs in the dialer, on the address
// actually dialed after DNS resolution, so redirects and DNS rebinding do not
// get around it. Loopback and private addresses stay allowed: on-premise
// installs read intranet feeds (and the tests serve on 127.0.0.1); keeping
// feeds out of a private network is a job for an egress firewall.
//
// Each feed's schedule is a cron spec (internal/cronspec: five or six fields,
// descriptors, @every) evaluated in Options.Location, the platform's time zone.
package curator

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
)

// actor signs the drafts and approvals the curator makes.
const actor = "system:curator"

// maxItemsPerDocument bounds the items handled from one document; it must stay
// well below Options.SeenLimit (see claimItemsScript).
const maxItemsPerDocument = 1000

// DraftSink receives curated drafts: the approval queue (content.Queue).
// Create must be idempotent per (DedupKey, Network).
type DraftSink interface {
	Create(ctx context.Context, d content.Draft) (content.Post, bool, error)
}

// approver is the part of content.Queue that auto-approval needs. When the sink
// has it, a feed's AutoApprove approves its new pending drafts right away
// (content.Draft has no field to ask the queue for it).
type approver interface {
	Approve(ctx context.Context, id, actor string) (content.Post, error)
}

// CampaignMatcher finds the tracked campaign a URL points to (the tracker).
type CampaignMatcher interface {
	MatchURL(ctx context.Context, url string) (id string, ok bool, err error)
}

// Options tune the curator; zero values take the defaults shown.
type Options struct {
	HTTPClient *http.Client // nil: a new client; its CheckRedirect is replaced
	// DenyPrivate makes the new client refuse loopback and private
	// addresses too (the daemon sets it unless feeds.allow_private).
	DenyPrivate        bool
	Timeout            time.Duration // per fetch, connect to last byte: 20s
	MaxBytes           int64         // largest document read: 5 MiB
	MaxRedirects       int           // 5; negative: follow none
	PerHostConcurrency int           // fetches in flight to one host: 2
	Concurrency        int           // fetches in flight in RefreshAll: 8
	UserAgent          string        // "Fanfare/<version> (+<public_url>)": "Fanfare"
	Now                func() time.Time
	Logger             *slog.Logger
	// Location is the platform's time zone (config timezone): feed schedules
	// such as "0 9 * * 1" are read in it. Default UTC.
	Location *time.Location

	// Networks a feed posts to when its own list is empty: x and facebook
	// (the daemon passes the enabled ones).
	Networks []string
	// Routes say which languages a channel takes (see content.Route); a
	// channel without one takes every feed.
	Routes map[string]content.Route
	// DefaultLang when neither the feed config nor the document says: "en".
	DefaultLang string
	// MaxItemAge: older items (by their published date) are remembered but make
	// no draft, so a new feed does not flood the queue with its archive: 72h.
	// Negative: no limit.
	MaxItemAge time.Duration
	// DraftTTL sets the drafts' NotAfter: news goes stale. 7 days; negative: none.
	DraftTTL time.Duration
	// Priority of curated posts (lower goes first): 50.
	Priority int
	// SeenLimit items are remembered per feed, for SeenTTL after the last
	// fetch: 5,000 and 90 days.
	SeenLimit int
	SeenTTL   time.Duration
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 5 << 20
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = 5
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.PerHostConcurrency <= 0 {
		o.PerHostConcurrency = 2
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.UserAgent == "" {
		o.UserAgent = "Fanfare"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if len(o.Networks) == 0 {
		o.Networks = []string{content.NetworkX, content.NetworkFacebook}
	}
	if o.DefaultLang == "" {
		o.DefaultLang = "en"
	}
	if o.MaxItemAge == 0 {
		o.MaxItemAge = 72 * time.Hour
	}
	if o.DraftTTL == 0 {
		o.DraftTTL = 7 * 24 * time.Hour
	}
	if o.Priority == 0 {
		o.Priority = 50
	}
	if o.SeenLimit <= 0 {
		o.SeenLimit = 5000
	}
	o.SeenLimit = max(o.SeenLimit, 2*maxItemsPerDocument)
	if o.SeenTTL <= 0 {
		o.SeenTTL = 90 * 24 * time.Hour
	}
	return o
}

// Curator fetches feeds and makes curated drafts. It is safe for concurrent use.
type Curator struct {
	rdb     redis.UniversalClient
	prefix  string
	opts    Options
	sink    DraftSink
	matcher CampaignMatcher
	reg     *Registry
	client  *http.Client
	hosts   *hostLimiter
	// parse is parseFeed; tests count parses through it.
	parse func(body []byte, contentType string) (*gofeed.Feed, error)
}

// NewCurator returns a curator keeping its state under prefix. matcher may be
// nil (then only keywords make an item relevant). For FetchOnce alone, rdb and
// sink may be nil too.
func NewCurator(rdb redis.UniversalClient, prefix string, opts Options, sink DraftSink, matcher CampaignMatcher) *Curator {
	opts = opts.withDefaults()
	return &Curator{
		rdb:     rdb,
		prefix:  prefix,
		opts:    opts,
		sink:    sink,
		matcher: matcher,
		reg:     NewRegistry(rdb, prefix).Only(opts.Networks),
		client:  newHTTPClient(opts.HTTPClient, opts.MaxRedirects, opts.DenyPrivate),
		hosts:   newHostLimiter(opts.PerHostConcurrency),
		parse:   parseFeed,
	}
}

// Registry returns the feed registry the curator reads from.
func (c *Curator) Registry() *Registry { return c.reg }
