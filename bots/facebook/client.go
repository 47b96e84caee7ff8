// Package facebook publishes to a Facebook Page through the Graph API, with
// github.com/huandu/facebook/v2 (v2.7.2). It needs a Page access token with
// pages_manage_posts, and sends appsecret_proof when the app secret is set.
//
// Every failure is a *bots.Error whose kind says whether the post may exist:
// see classify in errors.go. huandu/facebook decides by the body, not the
// HTTP status, so the client records each response's status and headers
// itself (a recording HttpClient) to classify HTML error pages and empty
// bodies, and to read the usage headers: above 90 % it refuses new posts
// locally, before Graph starts refusing.
package facebook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
)

// Network is this package's network name.
const Network = "facebook"

// Defaults for Options.
const (
	DefaultGraphBaseURL = "https://graph.facebook.com"
	DefaultAPIVersion   = "v21.0"
)

// Options configure a Client. PageID and PageAccessToken are required.
type Options struct {
	GraphBaseURL    string // default DefaultGraphBaseURL
	APIVersion      string // default DefaultAPIVersion
	PageID          string
	PageAccessToken string
	AppSecret       string // optional; when set every call carries appsecret_proof
	// HTTPClient sends the requests. Default: a client with a 15 s timeout.
	HTTPClient *http.Client
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // default slog.Default()
}

// Client calls the Graph API for one Page. It is safe for concurrent use.
type Client struct {
	network string      // Network, or the network a Graph client speaks for
	session *fb.Session // never used directly: each call works on a copy
	hc      *http.Client
	pageID  string
	now     func() time.Time
	log     *slog.Logger
	usage   *usageGate
}

// NewClient returns a client, or an error naming the bad option.
func NewClient(opts Options) (*Client, error) {
	if opts.PageID == "" || strings.ContainsAny(opts.PageID, "/?#&_ ") {
		return nil, fmt.Errorf("facebook: option PageID %q is missing or not a Page id", opts.PageID)
	}
	if opts.PageAccessToken == "" {
		return nil, errors.New("facebook: option PageAccessToken is required")
	}
	base := opts.GraphBaseURL
	if base == "" {
		base = DefaultGraphBaseURL
	}
	if !bots.ValidBaseURL(base) {
		return nil, fmt.Errorf("facebook: option GraphBaseURL %q is not an http(s) URL", opts.GraphBaseURL)
	}
	version := opts.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	if !validVersion(version) {
		return nil, fmt.Errorf("facebook: option APIVersion %q is not of the form v21.0", opts.APIVersion)
	}
	hc, now, log := httpjson.Defaults(Network, opts.HTTPClient, opts.Now, opts.Logger)

	var session *fb.Session
	if opts.AppSecret != "" {
		// The App is only the holder of the secret for appsecret_proof.
		session = fb.New("", opts.AppSecret).Session(opts.PageAccessToken)
		if err := session.EnableAppsecretProof(true); err != nil {
			return nil, fmt.Errorf("facebook: unable to enable appsecret_proof: %w", err)
		}
		// Computed once here: the session caches it lazily, which would be a
		// data race on the per-call copies.
		session.AppsecretProof()
	} else {
		session = &fb.Session{}
		session.SetAccessToken(opts.PageAccessToken)
	}
	// huandu wants the trailing slash.
	session.BaseURL = strings.TrimRight(base, "/") + "/"
	session.Version = version

	return &Client{
		network: Network,
		session: session,
		hc:      hc,
		pageID:  opts.PageID,
		now:     now,
		log:     log,
		usage:   &usageGate{},
	}, nil
}

func validVersion(v string) bool {
	major, minor, ok := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	return strings.HasPrefix(v, "v") && ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// PageID is the Page the client posts to.
func (c *Client) PageID() string { return c.pageID }

// call is one Graph API call. create marks calls that make a post: they are
// refused locally when usage is high, and a transient Graph error on them is
// ambiguous.
type call struct {
	op     string // for messages: "publish to feed"
	method fb.Method
	path   string
	params fb.Params
	create bool
}

// do runs one call on a copy of the session that carries ctx and a recording
// HttpClient. Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, cl call) (fb.Result, error) {
	if cl.create {
		if until, why, blocked := c.usage.blocked(c.now()); blocked {
			c.log.InfoContext(ctx, c.network+": usage above threshold, not sending", slog.String("usage", why), slog.Time("retry_at", until))
			return nil, &bots.Error{Network: c.network, Kind: bots.KindRateLimited, RetryAt: until,
				Message: fmt.Sprintf("unable to %s: %s; refused without sending until %s", cl.op, why, until.UTC().Format(time.RFC3339))}
		}
	}
	rec := &recorder{hc: c.hc}
	s := c.session.WithContext(ctx)
	s.HttpClient = rec
	res, err := s.Api(cl.path, cl.method, cl.params)
	now := c.now()
	if rec.header != nil {
		c.usage.observe(rec.header, now)
	}
	if err == nil {
		return res, nil
	}
	e := classify(err, rec, cl.create, c.usage, now)
	e.Network = c.network
	e.Message = "unable to " + cl.op + ": " + e.Message
	if e.Kind == bots.KindRateLimited {
		c.usage.block(e.RetryAt, "Graph rate limit")
	}
	c.log.WarnContext(ctx, c.network+": request failed", slog.String("op", cl.op), slog.Int("status", e.Status),
		slog.Int("code", e.Code), slog.String("kind", e.Kind.String()), slog.String("detail", e.Message))
	return nil, e
}
