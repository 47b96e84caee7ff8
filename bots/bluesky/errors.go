package bluesky

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// defaultRetry is the wait when a 429 says nothing about when to come back.
const defaultRetry = 5 * time.Minute

// xrpcError is an XRPC error body; classify keeps it as the *bots.Error's
// Err, so that callers can act on the error name.
type xrpcError struct {
	Name    string `json:"error"`
	Message string `json:"message"`
}

func (e *xrpcError) Error() string { return e.Name + ": " + e.Message }

// Error names the PDS uses that the client acts on.
const (
	errExpiredToken = "ExpiredToken"
	errInvalidSwap  = "InvalidSwap"
	errNotFound     = "RecordNotFound"
)

// classify maps an XRPC error answer to a publish outcome:
//
//   - 429 (RateLimitExceeded): rate limited, RetryAt from ratelimit-reset;
//   - 401 and 403 (AuthenticationRequired, InvalidToken, AccountTakedown,
//     AccountDeactivated…), and 400 InvalidToken: auth, the network pauses.
//     400 ExpiredToken is kept apart: the client refreshes the session and
//     repeats the call, which the PDS refused before doing anything;
//   - 400 and other 4xx (InvalidRequest, InvalidSwap, RecordNotFound…):
//     invalid, with the PDS's words (the error name comes first);
//   - 5xx and anything else: ambiguous.
func classify(status int, h http.Header, body []byte, now time.Time) *bots.Error {
	var xe xrpcError
	parsed := json.Unmarshal(body, &xe) == nil && xe.Name != ""
	e := &bots.Error{Network: Network, Status: status}
	if parsed {
		e.Err = &xe
		e.Message = xe.Name
		if xe.Message != "" {
			e.Message += ": " + xe.Message
		}
	} else {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = "HTTP " + strconv.Itoa(status)
		}
		if s := bots.Snippet(body); s != "" {
			e.Message += ": " + s
		}
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = bots.KindRateLimited
		e.RetryAt = retryAt(h, now)
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		(status == http.StatusBadRequest && (xe.Name == "InvalidToken" || xe.Name == "AccountTakedown" || xe.Name == "AuthenticationRequired")):
		e.Kind = bots.KindAuth
	case status >= 400 && status < 500:
		e.Kind = bots.KindInvalid
	default:
		e.Kind = bots.KindAmbiguous
	}
	return e
}

// xrpcName is the error name of a classified XRPC error ("InvalidSwap").
func xrpcName(err error) string {
	var xe *xrpcError
	if errors.As(err, &xe) {
		return xe.Name
	}
	return ""
}

// isExpired reports the PDS's "access token expired" answer.
func isExpired(err error) bool {
	var e *bots.Error
	return errors.As(err, &e) && e.Status == http.StatusBadRequest && xrpcName(err) == errExpiredToken
}

func retryAt(h http.Header, now time.Time) time.Time {
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("ratelimit-reset")), 10, 64); err == nil {
		if at := time.Unix(reset, 0); at.After(now) {
			return at
		}
	}
	return now.Add(defaultRetry)
}

// updateLimits feeds ratelimit-remaining and ratelimit-reset (unix seconds)
// to the limiter.
func updateLimits(l *ratelimit.Limiter, endpoint string, h http.Header) {
	rem, err1 := strconv.ParseInt(strings.TrimSpace(h.Get("ratelimit-remaining")), 10, 64)
	reset, err2 := strconv.ParseInt(strings.TrimSpace(h.Get("ratelimit-reset")), 10, 64)
	if err1 == nil && err2 == nil {
		l.Update(endpoint, rem, time.Unix(reset, 0))
	}
}
