package x

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
)

// apiError is X's error body: a problem JSON (RFC 7807) object, sometimes with
// an errors array; older endpoints still answer {"errors":[{"code":88,...}]}.
type apiError struct {
	Title  string `json:"title"`
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

// Legacy (v1.1-style) error codes that still appear in v2 answers.
const (
	codeRateLimited = 88  // Rate limit exceeded
	codeDuplicate   = 187 // Status is a duplicate
	codeNoAccess    = 453 // endpoint not in the app's access level
)

// defaultRetry is the wait when a 429 says nothing about when to come back:
// X's user windows are 15 minutes.
const defaultRetry = 15 * time.Minute

// classify maps an X error answer to a publish outcome:
//
//   - 429, or legacy code 88: rate limited, RetryAt from the reset headers;
//   - 401: the token is revoked or the keys are wrong (pause the network);
//   - 403 saying "duplicate content" (or legacy code 187): duplicate;
//   - 403 of type oauth1-permissions or client-forbidden, or legacy code 453:
//     the app may not post at all (read-only app, wrong access level); this
//     is an account problem like 401, so it is classified auth too;
//   - 400 and any other 4xx: the content was refused;
//   - 5xx and anything else: ambiguous, X may have created the post.
//
// Message keeps X's own words (detail, else title, else the first error).
func classify(status int, h http.Header, body []byte, now time.Time) *bots.Error {
	var ae apiError
	parsed := json.Unmarshal(body, &ae) == nil
	e := &bots.Error{Network: Network, Status: status, Message: message(ae, parsed, status, body)}
	code := 0
	if len(ae.Errors) > 0 {
		code = ae.Errors[0].Code
	}
	e.Code = code
	switch {
	case code == codeRateLimited:
		e.Kind = bots.KindRateLimited
	case status == http.StatusForbidden && (strings.Contains(strings.ToLower(ae.Detail), "duplicate content") || code == codeDuplicate):
		e.Kind = bots.KindDuplicate
	default:
		e.Kind = httpjson.Kind(status, status == http.StatusUnauthorized ||
			status == http.StatusForbidden && (strings.HasSuffix(ae.Type, "/oauth1-permissions") || strings.HasSuffix(ae.Type, "/client-forbidden") || code == codeNoAccess))
	}
	if e.Kind == bots.KindRateLimited {
		e.RetryAt = retryAt(h, now)
	}
	return e
}

func message(ae apiError, parsed bool, status int, body []byte) string {
	if parsed {
		for _, s := range []string{ae.Detail, ae.Title} {
			if s != "" {
				return s
			}
		}
		for _, e := range ae.Errors {
			for _, s := range []string{e.Message, e.Detail, e.Title} {
				if s != "" {
					return s
				}
			}
		}
	}
	return httpjson.StatusMessage(status, body)
}

// retryAt is when a 429 may be retried: the latest reset among the exhausted
// windows (the 15-minute endpoint window, or the 24-hour user and app caps),
// else the endpoint window's reset, else defaultRetry from now.
func retryAt(h http.Header, now time.Time) time.Time {
	var at time.Time
	for _, w := range []string{"x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"} {
		rem, okRem := httpjson.HeaderInt(h, w+"-remaining")
		reset, okReset := httpjson.HeaderInt(h, w+"-reset")
		if okRem && okReset && rem == 0 {
			if t := time.Unix(reset, 0); t.After(at) {
				at = t
			}
		}
	}
	if at.IsZero() {
		if reset, ok := httpjson.HeaderInt(h, "x-rate-limit-reset"); ok {
			at = time.Unix(reset, 0)
		}
	}
	if !at.After(now) {
		at = now.Add(defaultRetry)
	}
	return at
}
