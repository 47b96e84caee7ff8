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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fanfarehq/fanfare/bots"
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
}

// Client calls one Mastodon instance for one account. It is safe for
// concurrent use.
type Client struct {
	base   string
	token  string
	http   *http.Client
	now    func() time.Time
	log    *slog.Logger
	limits *ratelimit.Limiter

	mu        sync.Mutex
	account   *Account
	instance  *Limits
	fetchedAt time.Time
}

// NewClient returns a client, or an error naming the bad option.
func NewClient(opts Options) (*Client, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if !bots.ValidBaseURL(base) {
		return nil, fmt.Errorf("mastodon: option BaseURL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.AccessToken == "" {
		return nil, errors.New("mastodon: option AccessToken is required")
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: bots.DefaultHTTPTimeout}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Client{
		base:   base,
		token:  opts.AccessToken,
		http:   hc,
		now:    now,
		log:    logger.With(slog.String("network", Network)),
		limits: ratelimit.New(),
	}, nil
}

// request is one API call.
type request struct {
	op       string // for messages: "create status"
	endpoint string // the rate-limit bucket: "POST /api/v1/statuses"
	method   string
	path     string
	query    url.Values
	body     any    // JSON-encoded when not nil
	raw      []byte // sent as is with rawType (multipart) when body is nil
	rawType  string
	header   map[string]string
}

// response is what do keeps of a 2xx answer.
type response struct {
	status int
	header http.Header
}

// do sends r and decodes a 2xx answer into out. Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, r request, out any) (response, error) {
	release, retryAt, ok, err := c.limits.Reserve(ctx, r.endpoint, c.now)
	if err != nil {
		return response{}, &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to " + r.op + ": " + err.Error(), Err: err}
	}
	if !ok {
		c.log.InfoContext(ctx, "mastodon: rate limit spent, not sending", slog.String("endpoint", r.endpoint), slog.Time("retry_at", retryAt))
		return response{}, &bots.Error{Network: Network, Kind: bots.KindRateLimited, RetryAt: retryAt,
			Message: fmt.Sprintf("unable to %s: rate limit of %s spent until %s (refused without sending)", r.op, r.endpoint, retryAt.UTC().Format(time.RFC3339))}
	}
	defer release()

	var body io.Reader
	contentType := ""
	switch {
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return response{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + r.op + ": cannot encode request", Err: err}
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.raw != nil:
		body, contentType = bytes.NewReader(r.raw), r.rawType
	}
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var sent atomic.Bool
	req, err := http.NewRequestWithContext(bots.WithSentTrace(ctx, &sent), r.method, u, body)
	if err != nil {
		return response{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + r.op + ": cannot build request", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, &bots.Error{Network: Network, Kind: bots.TransportErrorKind(err, sent.Load()), Message: "unable to " + r.op + ": " + err.Error(), Err: err}
	}
	defer resp.Body.Close()
	updateLimits(c.limits, r.endpoint, resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return response{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Status: resp.StatusCode,
			Message: "unable to " + r.op + ": cannot read the response", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := classify(resp.StatusCode, resp.Header, data, c.now())
		e.Message = "unable to " + r.op + ": " + e.Message
		if e.Kind == bots.KindRateLimited {
			c.limits.Block(r.endpoint, e.RetryAt)
		}
		c.log.WarnContext(ctx, "mastodon: request refused", slog.String("endpoint", r.endpoint),
			slog.Int("status", resp.StatusCode), slog.String("kind", e.Kind.String()), slog.String("detail", e.Message))
		return response{}, e
	}
	res := response{status: resp.StatusCode, header: resp.Header}
	if out == nil {
		return res, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return res, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Status: resp.StatusCode,
			Message: "unable to " + r.op + ": cannot decode the response: " + bots.Snippet(data), Err: err}
	}
	return res, nil
}

func invalid(op, why string) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + op + ": " + why}
}

// validID accepts the ids Mastodon and its forks use (snowflake digits,
// Pleroma's flake ids): no path or query characters.
func validID(id string) bool {
	return id != "" && len(id) <= 64 && !strings.ContainsAny(id, "/?#%& ")
}
