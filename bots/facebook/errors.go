package facebook

import (
	"errors"
	"strconv"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/fanfarehq/fanfare/bots"
)

// Graph error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
const (
	codeUnknown         = 1   // API Unknown: transient
	codeService         = 2   // API Service: transient
	codeTooManyCalls    = 4   // application request limit
	codePermission      = 10  // permission denied
	codeUserTooMany     = 17  // user request limit
	codePageTooMany     = 32  // Page request limit
	codeInvalidParam    = 100 // invalid parameter
	codeSession         = 102 // session key invalid
	codeAccessToken     = 190 // token expired or invalid (subcodes 458–467)
	codeBlocked         = 368 // temporarily blocked for policy violations
	codeDuplicate       = 506 // duplicate post
	codeRateLimit       = 613 // calls exceed the rate limit
	codeAliasMissing    = 803 // some of the ?ids= do not exist
	codePageRateLimit   = 80001
	codePermissionFirst = 200 // 200–299: permission errors
	codePermissionLast  = 299
)

// classify maps a failed call to a publish outcome:
//
//   - no answer: not sent when no connection was obtained (refused, DNS),
//     else ambiguous (timeout, connection dropped after sending); invalid
//     when huandu could not even build the request;
//   - 190 and 102 (token), 10 and 200–299 (missing permission such as
//     pages_manage_posts): auth, the network is paused;
//   - 4, 17, 32, 613, 80001: rate limited, RetryAt from the usage headers'
//     estimate or 15 minutes;
//   - 506: duplicate; 368: blocked;
//   - 1 and 2 (and any error Graph marks is_transient): Graph failed on its
//     side. For a create the post may nonetheless exist, so ambiguous;
//     reconcile decides. Reads get the same kind; callers simply retry them;
//   - 100 and other codes: invalid, with Graph's message;
//   - an answer that is not a Graph body (an HTML 502 page, an empty body):
//     ambiguous, naming the status and the start of the body.
func classify(err error, rec *recorder, create bool, usage *usageGate, now time.Time) *bots.Error {
	e := &bots.Error{Network: Network, Status: rec.status, Err: err}
	if rec.err != nil {
		e.Err = rec.err
		e.Message = rec.err.Error()
		e.Kind = bots.TransportErrorKind(rec.err, rec.sent.Load())
		return e
	}
	if rec.status == 0 && !rec.sent.Load() {
		// huandu failed before sending anything (encoding the parameters):
		// retrying the same call would fail the same way.
		e.Kind = bots.KindInvalid
		e.Message = err.Error()
		return e
	}
	var fe *fb.Error
	if !errors.As(err, &fe) {
		var ue *fb.UnmarshalError
		body := ""
		if errors.As(err, &ue) {
			body = bots.Snippet(ue.Payload)
		}
		if body == "" {
			body = "empty body"
		}
		e.Kind = bots.KindAmbiguous
		e.Message = "unexpected answer, not a Graph response: " + body
		if ue == nil {
			e.Message = err.Error()
		}
		return e
	}
	e.Code = fe.Code
	e.Message = graphMessage(fe)
	switch {
	case fe.Code == codeAccessToken || fe.Code == codeSession || fe.Code == codePermission ||
		fe.Code >= codePermissionFirst && fe.Code <= codePermissionLast:
		e.Kind = bots.KindAuth
	case fe.Code == codeTooManyCalls || fe.Code == codeUserTooMany || fe.Code == codePageTooMany ||
		fe.Code == codeRateLimit || fe.Code == codePageRateLimit:
		e.Kind = bots.KindRateLimited
		e.RetryAt = usage.retryAt(now)
	case fe.Code == codeDuplicate:
		e.Kind = bots.KindDuplicate
	case fe.Code == codeBlocked:
		e.Kind = bots.KindBlocked
	case fe.Code == codeUnknown || fe.Code == codeService || fe.IsTransient:
		e.Kind = bots.KindAmbiguous
	case rec.status >= 500 || (fe.Code == fb.ErrCodeUnknown && rec.status == 0):
		// A server error with a code we do not know: the post may exist.
		e.Kind = bots.KindAmbiguous
	default:
		e.Kind = bots.KindInvalid
	}
	return e
}

// graphMessage is Graph's message, with the user-facing explanation when
// Graph gives one, and the subcode (for token errors it says why: expired,
// password changed, app removed…).
func graphMessage(fe *fb.Error) string {
	msg := fe.Message
	if msg == "" {
		msg = "Graph error without a message"
	}
	if fe.UserTitle != "" || fe.UserMessage != "" {
		msg += " (" + strings.TrimSpace(fe.UserTitle+": "+fe.UserMessage) + ")"
	}
	if fe.ErrorSubcode != 0 {
		msg += " (subcode " + strconv.Itoa(fe.ErrorSubcode) + ")"
	}
	return msg
}
