package curator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/internal/urlredact"
)

// acceptFeeds asks for feeds first; some servers answer HTML to */* alone.
const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// response is a fetched feed document, or a 304.
type response struct {
	NotModified  bool
	Body         []byte
	ContentType  string
	ETag         string
	LastModified string
	FinalURL     string
}

// get fetches a feed with a conditional GET. The body is read whole but never
// past maxBytes: a feed larger than that is an error, not a silently cut
// document. A 304 is returned without reading its body.
func (c *Curator) get(ctx context.Context, feedURL, etag, lastModified string) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return response{}, fmt.Errorf("bad feed URL: %w", err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", acceptFeeds)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if errors.Is(err, errTooManyRedirects) {
			return response{}, errTooManyRedirects
		}
		// Refused, timed out, reset, TLS, DNS or an address the guard
		// refuses: one answer for all, so that a feed URL cannot be used to
		// tell an open port from a closed one or a private host from none.
		// The cause stays wrapped, for the log and errors.Is.
		return response{}, &unreachableError{timeout: c.opts.Timeout, cause: err}
	}
	defer resp.Body.Close()

	r := response{
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FinalURL:     resp.Request.URL.String(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		r.NotModified = true
		return r, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return r, fmt.Errorf("unexpected HTTP status %s", resp.Status)
	}
	if resp.ContentLength > c.opts.MaxBytes {
		return r, c.tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return r, fmt.Errorf("body not read within %s: %w", c.opts.Timeout, err)
		}
		return r, fmt.Errorf("unable to read body: %w", err)
	}
	if int64(len(body)) > c.opts.MaxBytes {
		return r, c.tooLarge()
	}
	r.Body = body
	return r, nil
}

func (c *Curator) tooLarge() error {
	return fmt.Errorf("feed larger than %d bytes", c.opts.MaxBytes)
}

// newHTTPClient returns the client the curator fetches with: the caller's (or a
// new one) with our redirect limit. Timeouts come from each request's context.
// A new client refuses link-local, multicast and unspecified destinations
// (guardedTransport); a caller's client is used as given, its transport and
// whatever it dials being the caller's choice.
func newHTTPClient(base *http.Client, maxRedirects int, denyPrivate bool) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	} else {
		c.Transport = guardedTransport(denyPrivate)
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("%w (limit %s)", errTooManyRedirects, strconv.Itoa(maxRedirects))
		}
		return nil
	}
	return &c
}

var errTooManyRedirects = errors.New("stopped after too many redirects")

// unreachableError is every failure to get an HTTP answer, said the same
// way (see get); Cause is for the operator's log.
type unreachableError struct {
	timeout time.Duration
	cause   error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("no answer within %s (the feed's server could not be reached)", e.timeout)
}

func (e *unreachableError) Unwrap() error { return e.cause }

// fetchCause is what the log says of a failed fetch: the cause behind a
// uniform error, with any URL's secrets hidden.
func fetchCause(err error) string {
	if ue, ok := errors.AsType[*unreachableError](err); ok {
		return urlredact.Text(ue.cause.Error())
	}
	return urlredact.Text(err.Error())
}
