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
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
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
	api *httpjson.Client
	now func() time.Time
	log *slog.Logger

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
	base, err := httpjson.BaseURL(Network, "BaseURL", opts.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	hc, now, log := httpjson.Defaults(Network, opts.HTTPClient, opts.Now, opts.Logger)
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
	// Limits are counted per app and user token: one account's windows.
	limits, err := ratelimit.ForAccount(opts.Redis, opts.Prefix, Network, []string{opts.ConsumerKey, opts.AccessToken}, log)
	if err != nil {
		return nil, fmt.Errorf("x: %w", err)
	}
	api := &httpjson.Client{Network: Network, Base: base, HTTP: signed, Now: now, Log: log, Limits: limits,
		MaxResponseBytes: maxResponseBytes, Classify: classify, ReadLimits: readLimits}
	return &Client{api: api, now: now, log: log}, nil
}

// request is one API call. OAuth 1.0a signs neither a JSON nor a multipart
// body.
type request = httpjson.Request

// do sends r and decodes a 2xx answer into out. Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, r request, out any) error {
	_, err := c.api.Do(ctx, r, out)
	return err
}
