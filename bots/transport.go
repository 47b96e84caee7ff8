package bots

import (
	"context"
	"errors"
	"net"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultHTTPTimeout bounds one call to a network when the caller gives no
// *http.Client of its own.
const DefaultHTTPTimeout = 15 * time.Second

// ValidBaseURL reports whether s can be a network's API base: an absolute
// http(s) URL with a host.
func ValidBaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// WithSentTrace returns ctx with a trace that sets sent once a connection is
// obtained for the request made with it. Before that nothing of the request
// can have reached the network, so a failure certainly created nothing: see
// TransportErrorKind.
func WithSentTrace(ctx context.Context, sent *atomic.Bool) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { sent.Store(true) },
	})
}

// TransportErrorKind classifies a request that got no response at all: not
// sent when no connection was obtained or the dial failed (refused,
// unreachable, DNS), else ambiguous (a timeout, a connection dropped after
// sending): the network may have created the post.
func TransportErrorKind(err error, sent bool) ErrorKind {
	if !sent || isDialError(err) {
		return KindNotSent
	}
	return KindAmbiguous
}

// isDialError reports a failure to connect: the request never left.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// Snippet is the start of a response body for error messages: at most 200
// bytes, valid UTF-8, on one line.
func Snippet(b []byte) string {
	const limit = 200
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "?")), " ")
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// ImageBudget is how long a publisher may spend fetching and uploading an
// image before it sends the post: at most max, and at most half of what is
// left of ctx's deadline, so that the post itself still has time.
func ImageBudget(ctx context.Context, limit time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if half := time.Until(dl) / 2; half < limit {
			return max(half, 0)
		}
	}
	return limit
}
