// Package x publishes to X through API v2 (POST /2/tweets and friends), signed
// with OAuth 1.0a user context by github.com/dghubble/oauth1. The v1.1
// statuses/update endpoint (and github.com/dghubble/go-twitter, which speaks
// only v1.1) is refused to current developer tiers.
//
// Campaign images go up with the simple media upload (POST /2/media/upload,
// multipart, media_category tweet_image: JPEG, PNG or WebP up to 5 MB), get
// their alt text from POST /2/media/metadata, and are attached with
// media.media_ids. GIFs would need the chunked INIT/APPEND/FINALIZE flow and
// are left to the link card, as is any image whose fetch or upload fails.
//
// Every failure is a *bots.Error whose kind says whether the post may exist:
// see classify in errors.go. The client reads the rate-limit headers of every
// response and refuses locally, without sending, once a window is spent, so
// X's limits are never exceeded.
package x

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// Network is this package's network name.
const Network = "x"

// DefaultBaseURL is X's API host.
const DefaultBaseURL = "https://api.x.com"

// maxResponseBytes bounds what is read of a response: X's largest answers
// (100 posts with fields) are far smaller.
const maxResponseBytes = 4 << 20

// Options configure a Client. The four credentials are required.
type Options struct {
	BaseURL           string // default DefaultBaseURL
	ConsumerKey       string
	ConsumerSecret    string
	AccessToken       string
	AccessTokenSecret string
	// HTTPClient is the base client; its Transport carries the signed requests.
	// Default: a client with a 15 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // default slog.Default()
	// Redis, when set, keeps the account's rate-limit windows for every
	// replica (under Prefix, default "fanfare"), so that no replica sends a
	// request the limit will refuse; nil keeps them in this process.
	Redis  redis.UniversalClient
	Prefix string
}

// Client calls X API v2 for one account. It is safe for concurrent use.
type Client struct {
	base   string
	http   *http.Client
	now    func() time.Time
	log    *slog.Logger
	limits ratelimit.Reserver

	mu sync.Mutex
	me *User // cached: GET /2/users/me has a small daily limit
}

// NewClient returns a client, or an error naming the missing option.
func NewClient(opts Options) (*Client, error) {
	for _, req := range []struct{ name, v string }{
		{"ConsumerKey", opts.ConsumerKey}, {"ConsumerSecret", opts.ConsumerSecret},
		{"AccessToken", opts.AccessToken}, {"AccessTokenSecret", opts.AccessTokenSecret},
	} {
		if req.v == "" {
			return nil, fmt.Errorf("x: option %s is required", req.name)
		}
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if !bots.ValidBaseURL(base) {
		return nil, fmt.Errorf("x: option BaseURL %q is not an http(s) URL", opts.BaseURL)
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
	// oauth1 takes its base transport from the context it is built with; the
	// context is not kept for requests.
	signed := oauth1.NewClient(
		context.WithValue(context.Background(), oauth1.HTTPClient, hc),
		oauth1.NewConfig(opts.ConsumerKey, opts.ConsumerSecret),
		oauth1.NewToken(opts.AccessToken, opts.AccessTokenSecret),
	)
	signed.Timeout = hc.Timeout
	signed.CheckRedirect = hc.CheckRedirect
	signed.Jar = hc.Jar
	log := logger.With(slog.String("network", Network))
	var limits ratelimit.Reserver = ratelimit.New()
	if opts.Redis != nil {
		prefix := opts.Prefix
		if prefix == "" {
			prefix = "fanfare"
		}
		// Limits are counted per app and user token: one account's windows.
		sum := sha256.Sum256([]byte(opts.ConsumerKey + "\x00" + opts.AccessToken))
		shared, err := ratelimit.NewShared(opts.Redis, prefix, Network+":"+hex.EncodeToString(sum[:8]))
		if err != nil {
			return nil, fmt.Errorf("x: %w", err)
		}
		shared.OnError = func(err error) { log.Warn("x: unable to share rate-limit state", slog.String("error", err.Error())) }
		limits = shared
	}
	return &Client{
		base:   base,
		http:   signed,
		now:    now,
		log:    log,
		limits: limits,
	}, nil
}

// request is one API call.
type request struct {
	op       string // for messages: "create post"
	endpoint string // the rate-limit bucket, as X counts: "POST /2/tweets"
	method   string
	path     string
	query    url.Values
	body     any // JSON-encoded when not nil
	// raw, when set, is sent as is with rawType as Content-Type (a multipart
	// upload). OAuth 1.0a signs neither form.
	raw     []byte
	rawType string
}

// do sends r and decodes a 2xx answer into out. Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, r request, out any) error {
	release, retryAt, ok, err := c.limits.Reserve(ctx, r.endpoint, c.now)
	if err != nil {
		return &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to " + r.op + ": " + err.Error(), Err: err}
	}
	if !ok {
		c.log.InfoContext(ctx, "x: rate limit spent, not sending", slog.String("endpoint", r.endpoint), slog.Time("retry_at", retryAt))
		return &bots.Error{Network: Network, Kind: bots.KindRateLimited, RetryAt: retryAt,
			Message: fmt.Sprintf("unable to %s: rate limit of %s spent until %s (refused without sending)", r.op, r.endpoint, retryAt.UTC().Format(time.RFC3339))}
	}
	defer release()

	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + r.op + ": cannot encode request", Err: err}
		}
		body = bytes.NewReader(b)
	} else if r.raw != nil {
		body = bytes.NewReader(r.raw)
	}
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	// sent becomes true once a connection is obtained: before that nothing of
	// the request can have reached X, so a failure certainly created nothing.
	var sent atomic.Bool
	req, err := http.NewRequestWithContext(bots.WithSentTrace(ctx, &sent), r.method, u, body)
	if err != nil {
		return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + r.op + ": cannot build request", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case r.body != nil:
		req.Header.Set("Content-Type", "application/json")
	case r.raw != nil:
		req.Header.Set("Content-Type", r.rawType)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(r.op, err, sent.Load())
	}
	defer resp.Body.Close()
	updateLimits(c.limits, r.endpoint, resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Status: resp.StatusCode,
			Message: "unable to " + r.op + ": cannot read the response", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := classify(resp.StatusCode, resp.Header, data, c.now())
		e.Message = "unable to " + r.op + ": " + e.Message
		if e.Kind == bots.KindRateLimited {
			c.limits.Block(r.endpoint, e.RetryAt)
		}
		c.log.WarnContext(ctx, "x: request refused", slog.String("endpoint", r.endpoint),
			slog.Int("status", resp.StatusCode), slog.String("kind", e.Kind.String()), slog.String("detail", e.Message))
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		// A 2xx whose body we cannot read: X did the thing, we cannot tell what.
		return &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Status: resp.StatusCode,
			Message: "unable to " + r.op + ": cannot decode the response: " + bots.Snippet(data), Err: err}
	}
	return nil
}

// transportError classifies a failure to get any response.
func transportError(op string, err error, sent bool) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.TransportErrorKind(err, sent), Message: "unable to " + op + ": " + err.Error(), Err: err}
}
