// Package httpjson is the request plumbing of the network clients that speak
// JSON over plain net/http (X, Mastodon, Bluesky): the local rate-limit
// check before sending, the request with its body, knowing whether a failed
// request was ever sent, the answer read up to a bound, a refusal classified
// by the network's own rules, and a 2xx decoded. Every error is a
// *bots.Error of the client's network whose message starts with "unable to
// <op>: ", so that callers and logs read the same whichever network failed.
//
// What differs between networks stays in their packages and is given to
// Client: how an error answer maps to a kind (Classify) and where the
// rate-limit numbers are in the headers (ReadLimits).
package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// Defaults fills in what a network client's options left out, the same for
// every network (Facebook's too, whose requests go through huandu/facebook):
// an HTTP client with bots.DefaultHTTPTimeout, time.Now, and slog.Default().
// The logger comes back with the network's name as attribute "network".
func Defaults(network string, hc *http.Client, now func() time.Time, logger *slog.Logger) (*http.Client, func() time.Time, *slog.Logger) {
	if hc == nil {
		hc = &http.Client{Timeout: bots.DefaultHTTPTimeout}
	}
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return hc, now, logger.With(slog.String("network", network))
}

// BaseURL is the API base an option gives, without trailing slashes, or def
// when it gives none; when it is not an http(s) URL the error names the
// option as the network's NewClient reports it.
func BaseURL(network, option, value, def string) (string, error) {
	base := strings.TrimRight(value, "/")
	if base == "" {
		base = def
	}
	if !bots.ValidBaseURL(base) {
		return "", fmt.Errorf("%s: option %s %q is not an http(s) URL", network, option, value)
	}
	return base, nil
}

// Client sends the requests of one account on one network. It is safe for
// concurrent use once set up.
type Client struct {
	Network string // names the errors and starts the log messages: "mastodon"
	Base    string // the API's base URL, without a trailing slash
	HTTP    *http.Client
	Now     func() time.Time
	Log     *slog.Logger
	Limits  ratelimit.Reserver
	// MaxResponseBytes bounds what is read of an answer.
	MaxResponseBytes int64
	// Classify maps an answer outside 2xx to an error with the network's
	// words, kind and, for a 429, RetryAt; Do adds "unable to <op>: ".
	Classify func(status int, h http.Header, body []byte, now time.Time) *bots.Error
	// ReadLimits reads the requests remaining in the endpoint's window and
	// when it resets from an answer's headers; ok is false when the answer
	// says nothing, which changes nothing.
	ReadLimits func(h http.Header) (remaining int64, reset time.Time, ok bool)
	// Quiet, when set, keeps the refusals it reports out of the log: those
	// the caller handles itself (Bluesky's expired token, refreshed and
	// repeated).
	Quiet func(*bots.Error) bool
}

// Request is one API call.
type Request struct {
	Op       string // for messages: "create status"
	Endpoint string // the rate-limit bucket, as the network counts: "POST /api/v1/statuses"
	Method   string
	Path     string // after Base: "/api/v1/statuses"
	Query    url.Values
	Body     any // JSON-encoded when not nil
	// Raw, when Body is nil, is sent as is with RawType as Content-Type (a
	// multipart upload).
	Raw     []byte
	RawType string
	Bearer  string            // sent as "Authorization: Bearer <token>" when not empty
	Header  map[string]string // more headers: Idempotency-Key
}

// Response is what Do keeps of a 2xx answer.
type Response struct {
	Status int
	Header http.Header
}

// Do sends r and decodes a 2xx answer into out (nil: the body is not read
// as JSON). Every error is a *bots.Error whose kind says whether the request
// may have had an effect.
func (c *Client) Do(ctx context.Context, r Request, out any) (Response, error) {
	release, retryAt, ok, err := c.Limits.Reserve(ctx, r.Endpoint, c.Now)
	if err != nil {
		return Response{}, c.fail(r, bots.KindNotSent, 0, err.Error(), err)
	}
	if !ok {
		c.Log.InfoContext(ctx, c.Network+": rate limit spent, not sending", slog.String("endpoint", r.Endpoint), slog.Time("retry_at", retryAt))
		return Response{}, &bots.Error{Network: c.Network, Kind: bots.KindRateLimited, RetryAt: retryAt,
			Message: fmt.Sprintf("unable to %s: rate limit of %s spent until %s (refused without sending)", r.Op, r.Endpoint, retryAt.UTC().Format(time.RFC3339))}
	}
	defer release()

	var body io.Reader
	contentType := ""
	switch {
	case r.Body != nil:
		b, err := json.Marshal(r.Body)
		if err != nil {
			return Response{}, c.fail(r, bots.KindInvalid, 0, "cannot encode request", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.Raw != nil:
		body, contentType = bytes.NewReader(r.Raw), r.RawType
	}
	u := c.Base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	// sent becomes true once a connection is obtained: before that nothing of
	// the request can have reached the network, so a failure certainly
	// created nothing.
	var sent atomic.Bool
	req, err := http.NewRequestWithContext(bots.WithSentTrace(ctx, &sent), r.Method, u, body)
	if err != nil {
		return Response{}, c.fail(r, bots.KindInvalid, 0, "cannot build request", err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, c.fail(r, bots.TransportErrorKind(err, sent.Load()), 0, err.Error(), err)
	}
	defer resp.Body.Close()
	if rem, reset, ok := c.ReadLimits(resp.Header); ok {
		c.Limits.Update(r.Endpoint, rem, reset)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxResponseBytes))
	if err != nil {
		return Response{}, c.fail(r, bots.KindAmbiguous, resp.StatusCode, "cannot read the response", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := c.Classify(resp.StatusCode, resp.Header, data, c.Now())
		e.Message = "unable to " + r.Op + ": " + e.Message
		if e.Kind == bots.KindRateLimited {
			c.Limits.Block(r.Endpoint, e.RetryAt)
		}
		if c.Quiet == nil || !c.Quiet(e) {
			c.Log.WarnContext(ctx, c.Network+": request refused", slog.String("endpoint", r.Endpoint),
				slog.Int("status", resp.StatusCode), slog.String("kind", e.Kind.String()), slog.String("detail", e.Message))
		}
		return Response{}, e
	}
	res := Response{Status: resp.StatusCode, Header: resp.Header}
	if out == nil {
		return res, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		// A 2xx whose body we cannot read: the network did the thing, we
		// cannot tell what.
		return res, c.fail(r, bots.KindAmbiguous, resp.StatusCode, "cannot decode the response: "+bots.Snippet(data), err)
	}
	return res, nil
}

func (c *Client) fail(r Request, kind bots.ErrorKind, status int, why string, err error) *bots.Error {
	return &bots.Error{Network: c.Network, Kind: kind, Status: status, Message: "unable to " + r.Op + ": " + why, Err: err}
}

// StatusMessage is the message of an error answer whose body is not the
// network's error shape: the status text ("HTTP 599" for a status without
// one) and the start of the body, which is often an HTML page from a proxy.
func StatusMessage(status int, body []byte) string {
	m := http.StatusText(status)
	if m == "" {
		m = "HTTP " + strconv.Itoa(status)
	}
	if s := bots.Snippet(body); s != "" {
		m += ": " + s
	}
	return m
}

// Kind is the kind of an error answer once the network's own rules said
// whether it refuses the account (auth): 429 is rate limited, auth pauses
// the network, any other 4xx refused the request as sent (invalid), and
// anything else, 5xx first, is ambiguous: the server may have acted.
func Kind(status int, auth bool) bots.ErrorKind {
	switch {
	case status == http.StatusTooManyRequests:
		return bots.KindRateLimited
	case auth:
		return bots.KindAuth
	case status >= 400 && status < 500:
		return bots.KindInvalid
	}
	return bots.KindAmbiguous
}

// HeaderInt reads an integer header; ok is false when it is absent or not
// a number.
func HeaderInt(h http.Header, name string) (int64, bool) {
	v := h.Get(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}
