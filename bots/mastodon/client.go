// Package mastodon publishes to a Mastodon account through the instance's
// REST API: POST /api/v1/statuses with an Idempotency-Key derived from the
// post id, images through POST /api/v2/media (processed asynchronously: 202,
// then GET /api/v1/media/:id until it answers 200), the instance's own text
// limits from GET /api/v2/instance, reconcile through the account's statuses
// and favourites and boosts as engagement.
//
// # Why a small net/http client and not github.com/mattn/go-mastodon
//
// go-mastodon is maintained and covers far more of the API than Fanfare uses,
// but at-most-once publishing needs what it does not expose: a custom
// Idempotency-Key header on POST /api/v1/statuses, the HTTP status and the
// X-RateLimit-* headers of every answer (to refuse locally before the
// instance does, and to tell 429 from 422 from 5xx), the 202-then-206
// protocol of v2 media uploads, and knowing whether a failed request was
// ever sent (a connection refused created nothing; a timeout may have). Its
// errors are strings built from the status line. The seven calls Fanfare
// makes fit in a few hundred lines that classify every failure the way the
// X and Facebook publishers do.
//
// # At most once
//
// Every status is created with Idempotency-Key: a hash of the post id. The
// instance remembers the key for an hour (Redis, per account) and answers a
// second request with the same key with the status the first one created,
// not a new one. So a post whose first attempt timed out can be sent again
// within the hour without risk of a second copy; after the hour, and for the
// narrow race where the first request is still being processed when the
// second arrives, reconcile (FindRecent over the account's statuses) decides.
// A media upload is not a post: an orphan attachment is never shown, and the
// instance deletes it.
//
// Every failure is a *bots.Error whose kind says whether the post may exist:
// see classify in errors.go.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// Network is this package's network name.
const Network = "mastodon"

// maxResponseBytes bounds what is read of an answer: 40 statuses with their
// HTML and accounts are far smaller.
const maxResponseBytes = 8 << 20

// Options configure a Client. BaseURL and AccessToken are required.
type Options struct {
	// BaseURL is the instance, e.g. https://mastodon.social.
	BaseURL string
	// AccessToken is an application token of the account with the scopes
	// read:accounts, read:statuses, write:statuses and write:media.
	AccessToken string
	// HTTPClient sends the requests. Default: a client with a 15 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // default slog.Default()
	// Redis, when set, keeps the account's rate-limit windows for every
	// replica (under Prefix, default "fanfare"), so that no replica sends a
	// request the limit will refuse; nil keeps them in this process.
	Redis  redis.UniversalClient
	Prefix string
}

// Client calls one Mastodon instance for one account. It is safe for
// concurrent use.
type Client struct {
	api   *httpjson.Client
	token string
	now   func() time.Time
	log   *slog.Logger

	mu        sync.Mutex
	account   *Account
	instance  *Limits
	fetchedAt time.Time
}

// NewClient returns a client, or an error naming the bad option.
func NewClient(opts Options) (*Client, error) {
	base, err := httpjson.BaseURL(Network, "BaseURL", opts.BaseURL, "")
	if err != nil {
		return nil, err
	}
	if opts.AccessToken == "" {
		return nil, errors.New("mastodon: option AccessToken is required")
	}
	hc, now, log := httpjson.Defaults(Network, opts.HTTPClient, opts.Now, opts.Logger)
	// Limits are counted per instance and account: one account's windows.
	limits, err := ratelimit.ForAccount(opts.Redis, opts.Prefix, Network, []string{base, opts.AccessToken}, log)
	if err != nil {
		return nil, fmt.Errorf("mastodon: %w", err)
	}
	api := &httpjson.Client{Network: Network, Base: base, HTTP: hc, Now: now, Log: log, Limits: limits,
		MaxResponseBytes: maxResponseBytes, Classify: classify, ReadLimits: readLimits}
	return &Client{api: api, token: opts.AccessToken, now: now, log: log}, nil
}

// request is one API call.
type request = httpjson.Request

// do sends r with the account's token and decodes a 2xx answer into out.
// Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, r request, out any) (httpjson.Response, error) {
	r.Bearer = c.token
	return c.api.Do(ctx, r, out)
}

func invalid(op, why string) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + op + ": " + why}
}

// validID accepts the ids Mastodon and its forks use (snowflake digits,
// Pleroma's flake ids): no path or query characters.
func validID(id string) bool {
	return id != "" && len(id) <= 64 && !strings.ContainsAny(id, "/?#%& ")
}
