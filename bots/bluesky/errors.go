package bluesky

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
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
		e.Message = httpjson.StatusMessage(status, body)
	}
	e.Kind = httpjson.Kind(status, status == http.StatusUnauthorized || status == http.StatusForbidden ||
		(status == http.StatusBadRequest && (xe.Name == "InvalidToken" || xe.Name == "AccountTakedown" || xe.Name == "AuthenticationRequired")))
	if e.Kind == bots.KindRateLimited {
		e.RetryAt = retryAt(h, now)
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
	if reset, ok := httpjson.HeaderInt(h, "ratelimit-reset"); ok {
		if at := time.Unix(reset, 0); at.After(now) {
			return at
		}
	}
	return now.Add(defaultRetry)
}

// readLimits reads ratelimit-remaining and ratelimit-reset (unix seconds).
func readLimits(h http.Header) (remaining int64, reset time.Time, ok bool) {
	remaining, okRem := httpjson.HeaderInt(h, "ratelimit-remaining")
	secs, okReset := httpjson.HeaderInt(h, "ratelimit-reset")
	return remaining, time.Unix(secs, 0), okRem && okReset
}
