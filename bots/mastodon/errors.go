package mastodon

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
)

// defaultRetry is the wait when a 429 says nothing about when to come back:
// Mastodon's API windows are 5 minutes.
const defaultRetry = 5 * time.Minute

// apiError is Mastodon's error body: {"error": "...", "error_description": "..."}
// (the description only on OAuth errors).
type apiError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// classify maps a Mastodon error answer to a publish outcome:
//
//   - 429: rate limited, RetryAt from X-RateLimit-Reset (an ISO 8601 time);
//   - 401 (token invalid or revoked), 403 (scope missing, login disabled,
//     account suspended) and 410 (account gone): auth, the network pauses;
//   - 422 (validation failed: too long, media not processed, bad language)
//     and the other 4xx: invalid, with the instance's words;
//   - 5xx and anything else: ambiguous, the status may exist.
//
// Mastodon has no duplicate-text refusal: the Idempotency-Key answers a
// repeated request with the first status instead.
func classify(status int, h http.Header, body []byte, now time.Time) *bots.Error {
	var ae apiError
	parsed := json.Unmarshal(body, &ae) == nil && ae.Error != ""
	e := &bots.Error{Network: Network, Status: status}
	if parsed {
		e.Message = ae.Error
		if ae.ErrorDescription != "" && ae.ErrorDescription != ae.Error {
			e.Message += ": " + ae.ErrorDescription
		}
	} else {
		e.Message = httpjson.StatusMessage(status, body)
	}
	e.Kind = httpjson.Kind(status, status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusGone)
	if e.Kind == bots.KindRateLimited {
		e.RetryAt = retryAt(h, now)
	}
	return e
}

// retryAt is X-RateLimit-Reset when it is a time after now, else
// defaultRetry from now.
func retryAt(h http.Header, now time.Time) time.Time {
	if at, ok := resetTime(h); ok && at.After(now) {
		return at
	}
	return now.Add(defaultRetry)
}

// resetTime reads X-RateLimit-Reset: Mastodon sends an ISO 8601 time with
// fractional seconds ("2026-11-26T10:05:00.000Z").
func resetTime(h http.Header) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("X-RateLimit-Reset"))
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// readLimits reads X-RateLimit-Remaining and X-RateLimit-Reset.
func readLimits(h http.Header) (remaining int64, reset time.Time, ok bool) {
	remaining, okRem := httpjson.HeaderInt(h, "X-RateLimit-Remaining")
	reset, okReset := resetTime(h)
	return remaining, reset, okRem && okReset
}
