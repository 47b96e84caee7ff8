// Package bluesky publishes to a Bluesky account through XRPC calls to the
// account's PDS (Personal Data Server), logged in with an app password.
//
// Lexicons and fields used:
//
//   - com.atproto.server.createSession {identifier, password} → {accessJwt,
//     refreshJwt, handle, did}; com.atproto.server.refreshSession (bearer:
//     refreshJwt) when the PDS answers ExpiredToken; getSession to verify.
//   - com.atproto.repo.putRecord {repo, collection "app.bsky.feed.post",
//     rkey, validate, record, swapRecord: null} → {uri, cid};
//     com.atproto.repo.getRecord {repo, collection, rkey} → {uri, cid, value}.
//   - app.bsky.feed.post {$type, text (≤ 300 graphemes, ≤ 3000 bytes),
//     facets, embed, langs (≤ 3), createdAt}.
//   - app.bsky.richtext.facet {index {byteStart, byteEnd} (UTF-8 byte
//     offsets, end exclusive), features: #link {uri}, #mention {did}, #tag
//     {tag}}; com.atproto.identity.resolveHandle {handle} → {did}.
//   - app.bsky.embed.external {external {uri, title, description, thumb
//     (blob, image/*, ≤ 1,000,000 bytes)}}; app.bsky.embed.images {images
//     [{image, alt, aspectRatio {width, height}}]} for an image without a
//     link; com.atproto.repo.uploadBlob (raw bytes) → {blob}.
//   - app.bsky.feed.getAuthorFeed {actor, filter posts_no_replies, limit}
//     and app.bsky.feed.getPosts {uris (≤ 25)} → likeCount, repostCount,
//     quoteCount, replyCount; the PDS forwards app.bsky.* to its AppView.
//
// # At most once
//
// A post's record key is derived from the post id alone (RecordKey: a valid
// TID whose time is the post id's own), and the record is written with
// putRecord and swapRecord null, which the PDS executes as "create, only if
// nothing is at this key". A retry after an ambiguous failure therefore
// meets the first record: the PDS answers InvalidSwap (or, for an identical
// record, succeeds without writing), getRecord reads what is there, and the
// publisher returns it as the published post. Two copies of one post cannot
// exist under one key. (createRecord with an existing key fails inside the
// reference PDS's repository layer with a bare 500, which says nothing;
// putRecord's compare-and-swap says exactly what happened.)
//
// # Rate limits and tokens
//
// The PDS sends ratelimit-limit, ratelimit-remaining and ratelimit-reset
// (unix seconds) on rate-limited routes; the client refuses locally once a
// window is spent and honours 429s until their reset. Logins are
// rate-limited hard (createSession: 30 per 5 minutes, 300 a day), so the
// session is kept and refreshed with refreshSession, and a new login happens
// only when the refresh token is refused too.
//
// Every failure is a *bots.Error whose kind says whether the post may exist:
// see classify in errors.go.
package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// Network is this package's network name.
const Network = "bluesky"

// DefaultPDSURL is Bluesky's own PDS entryway.
const DefaultPDSURL = "https://bsky.social"

const maxResponseBytes = 8 << 20

// Options configure a Client. Identifier and AppPassword are required.
type Options struct {
	PDSURL      string // default DefaultPDSURL
	Identifier  string // the account's handle (or DID, or email)
	AppPassword string // an app password, never the account's password
	HTTPClient  *http.Client
	Now         func() time.Time
	Logger      *slog.Logger
	// Redis, when set, keeps the account's rate-limit windows for every
	// replica (under Prefix, default "fanfare"), so that no replica sends a
	// request the limit will refuse; nil keeps them in this process.
	Redis  redis.UniversalClient
	Prefix string
}

// Session is a logged-in session.
type Session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
}

// Client calls one PDS for one account. It is safe for concurrent use.
type Client struct {
	api        *httpjson.Client
	identifier string
	password   string
	now        func() time.Time
	log        *slog.Logger

	mu      sync.Mutex
	session *Session
	login   sync.Mutex // one login or refresh at a time
}

// NewClient returns a client, or an error naming the bad option. It does not
// log in: the first call does.
func NewClient(opts Options) (*Client, error) {
	base, err := httpjson.BaseURL(Network, "PDSURL", opts.PDSURL, DefaultPDSURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(opts.Identifier) == "" {
		return nil, errors.New("bluesky: option Identifier is required")
	}
	if opts.AppPassword == "" {
		return nil, errors.New("bluesky: option AppPassword is required")
	}
	hc, now, log := httpjson.Defaults(Network, opts.HTTPClient, opts.Now, opts.Logger)
	// Limits are counted per instance and account: one account's windows.
	limits, err := ratelimit.ForAccount(opts.Redis, opts.Prefix, Network, []string{base, strings.TrimPrefix(strings.TrimSpace(opts.Identifier), "@")}, log)
	if err != nil {
		return nil, fmt.Errorf("bluesky: %w", err)
	}
	api := &httpjson.Client{Network: Network, Base: base, HTTP: hc, Now: now, Log: log, Limits: limits,
		MaxResponseBytes: maxResponseBytes, Classify: classify, ReadLimits: readLimits,
		// An expired token is refreshed and the call repeated: not worth a warning.
		Quiet: func(e *bots.Error) bool { return isExpired(e) }}
	return &Client{api: api, identifier: strings.TrimPrefix(strings.TrimSpace(opts.Identifier), "@"), password: opts.AppPassword,
		now: now, log: log}, nil
}

// call is one XRPC call.
type call struct {
	op      string // for messages: "create post"
	nsid    string // the method: "com.atproto.repo.putRecord"
	post    bool
	query   url.Values
	body    any    // JSON when not nil
	raw     []byte // sent as is with rawType when body is nil
	rawType string
	auth    authMode
}

type authMode int

const (
	authAccess authMode = iota
	authNone
	authRefresh
)

// do runs c with the session's access token, refreshing it once when the PDS
// says it expired. Every error is a *bots.Error.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	if cl.auth != authAccess {
		return c.send(ctx, cl, "", out)
	}
	s, err := c.currentSession(ctx)
	if err != nil {
		return err
	}
	err = c.send(ctx, cl, s.AccessJwt, out)
	switch {
	case isExpired(err):
		s, err = c.refresh(ctx, s)
	case isRejected(err):
		// The session itself is gone (revoked, the PDS's keys rotated): one
		// new login; a password that no longer works fails there.
		s, err = c.relogin(ctx, s)
	default:
		return err
	}
	if err != nil {
		return err
	}
	// The PDS refused the token before doing anything: safe to repeat.
	return c.send(ctx, cl, s.AccessJwt, out)
}

// isRejected reports an answer refusing the access token outright.
func isRejected(err error) bool {
	var e *bots.Error
	return errors.As(err, &e) && (e.Status == http.StatusUnauthorized || xrpcName(err) == "InvalidToken")
}

// relogin replaces the session old with a new login, unless a concurrent
// caller already did.
func (c *Client) relogin(ctx context.Context, old Session) (Session, error) {
	c.login.Lock()
	defer c.login.Unlock()
	if cur, ok := c.stored(); ok && cur.AccessJwt != old.AccessJwt {
		return cur, nil
	}
	c.log.InfoContext(ctx, "bluesky: session refused, logging in again")
	return c.CreateSession(ctx)
}

// send runs cl with token (none when empty), without the session's retry.
func (c *Client) send(ctx context.Context, cl call, token string, out any) error {
	method := http.MethodGet
	if cl.post {
		method = http.MethodPost
	}
	// The PDS counts its limits per method: the nsid is the bucket.
	_, err := c.api.Do(ctx, httpjson.Request{Op: cl.op, Endpoint: cl.nsid, Method: method, Path: "/xrpc/" + cl.nsid, Query: cl.query,
		Body: cl.body, Raw: cl.raw, RawType: cl.rawType, Bearer: token}, out)
	return err
}

// currentSession returns the session, logging in when there is none.
func (c *Client) currentSession(ctx context.Context) (Session, error) {
	if s, ok := c.stored(); ok {
		return s, nil
	}
	c.login.Lock()
	defer c.login.Unlock()
	if s, ok := c.stored(); ok {
		return s, nil
	}
	return c.CreateSession(ctx)
}

// stored is the session, when there is one.
func (c *Client) stored() (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return Session{}, false
	}
	return *c.session, true
}

// refresh replaces the session old, whose access token expired: with
// refreshSession, or a new login when the refresh token is refused too. A
// concurrent caller that already refreshed wins.
func (c *Client) refresh(ctx context.Context, old Session) (Session, error) {
	c.login.Lock()
	defer c.login.Unlock()
	if cur, ok := c.stored(); ok && cur.AccessJwt != old.AccessJwt {
		return cur, nil
	}
	s, err := c.RefreshSession(ctx, old.RefreshJwt)
	if err == nil {
		return s, nil
	}
	var be *bots.Error
	if errors.As(err, &be) && (be.Kind == bots.KindAuth || isExpired(err) || be.Kind == bots.KindInvalid) {
		c.log.InfoContext(ctx, "bluesky: refresh token refused, logging in again", "error", err)
		return c.CreateSession(ctx)
	}
	return Session{}, err
}

// CreateSession logs in with the app password.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
func (c *Client) CreateSession(ctx context.Context) (Session, error) {
	var s Session
	body := map[string]string{"identifier": c.identifier, "password": c.password}
	if err := c.do(ctx, call{op: "log in", nsid: "com.atproto.server.createSession", post: true, body: body, auth: authNone}, &s); err != nil {
		if e, ok := err.(*bots.Error); ok && e.Kind == bots.KindInvalid && e.Status == http.StatusUnauthorized {
			e.Kind = bots.KindAuth
		}
		return Session{}, err
	}
	if s.AccessJwt == "" || s.DID == "" {
		return Session{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to log in: the answer has no session"}
	}
	c.setSession(&s)
	return s, nil
}

// RefreshSession exchanges the refresh token for a new session.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
func (c *Client) RefreshSession(ctx context.Context, refreshJwt string) (Session, error) {
	var s Session
	cl := call{op: "refresh the session", nsid: "com.atproto.server.refreshSession", post: true, auth: authRefresh}
	if err := c.send(ctx, cl, refreshJwt, &s); err != nil {
		return Session{}, err
	}
	if s.AccessJwt == "" || s.DID == "" {
		return Session{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to refresh the session: the answer has no session"}
	}
	c.setSession(&s)
	return s, nil
}

func (c *Client) setSession(s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.session = s
}

// GetSession checks the access token (refreshing it if it expired).
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-get-session
func (c *Client) GetSession(ctx context.Context) (Session, error) {
	var s Session
	if err := c.do(ctx, call{op: "check the session", nsid: "com.atproto.server.getSession"}, &s); err != nil {
		return Session{}, err
	}
	return s, nil
}
