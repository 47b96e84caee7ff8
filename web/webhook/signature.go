package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the sender's proof that it knows a shared secret.
const SignatureHeader = "Fanfare-Signature"

// Sign returns the Fanfare-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
// The timestamp is inside the MAC so a captured delivery cannot be replayed
// later than the receiver's tolerance.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// signature is a parsed Fanfare-Signature header.
type signature struct {
	ts   string // exactly as sent: it is what was signed
	unix int64
	v1   [][]byte
}

// authError is a refused signature; Code and the text go back in the 401 body,
// so a sender can tell a wrong secret from a skewed clock.
type authError struct {
	Code string
	Msg  string
}

func (e *authError) Error() string { return e.Msg }

func badSignature(format string, args ...any) error {
	return &authError{Code: "bad_signature", Msg: fmt.Sprintf(format, args...)}
}

var (
	errNoSignature = &authError{Code: "missing_signature", Msg: "missing " + SignatureHeader + " header"}
	errNoTimestamp = badSignature("%s has no t=<unix seconds>", SignatureHeader)
	errNoV1        = badSignature("%s has no v1=<hex HMAC-SHA256> signature", SignatureHeader)
	errMismatch    = badSignature("%s: no v1 signature matches the body with any configured secret", SignatureHeader)
)

// parseSignature reads "t=...,v1=...[,v1=...]". Other schemes (v0=, future
// versions) are ignored so senders can add them without breaking us; several
// v1 values let a sender sign with an old and a new secret during rotation.
func parseSignature(header string) (signature, error) {
	var s signature
	if strings.TrimSpace(header) == "" {
		return s, errNoSignature
	}
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return s, badSignature("%s: t=%q is not a unix timestamp in seconds", SignatureHeader, v)
			}
			s.ts, s.unix = v, n
		case "v1":
			// Hex that does not decode can never match; keep going so one
			// garbled value does not hide a good one.
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				s.v1 = append(s.v1, b)
			}
		}
	}
	switch {
	case s.ts == "":
		return s, errNoTimestamp
	case len(s.v1) == 0:
		return s, errNoV1
	}
	return s, nil
}

// verify checks a parsed header against body with every secret, in constant
// time per comparison, then checks the timestamp is within tolerance of now
// (checkTimestamp runs before the body is read; it runs again here so that
// verify alone is the whole check).
func verify(s signature, body []byte, secrets []string, now time.Time, tolerance time.Duration) error {
	matched := false
	for _, secret := range secrets {
		want := mac(secret, s.ts, body)
		for _, got := range s.v1 {
			if hmac.Equal(want, got) {
				matched = true
			}
		}
	}
	if !matched {
		return errMismatch
	}
	return checkTimestamp(s, now, tolerance)
}

// checkTimestamp refuses a t further than tolerance from now. It needs no
// body, so a stale or forged header is refused before the body is read.
func checkTimestamp(s signature, now time.Time, tolerance time.Duration) error {
	// Compare in seconds: t has second precision, and Duration arithmetic on
	// an absurd t could overflow.
	skew := now.Unix() - s.unix
	limit := int64(tolerance / time.Second)
	switch {
	case skew > limit:
		return &authError{Code: "timestamp_out_of_range", Msg: fmt.Sprintf("%s: timestamp is %ds old, past the %ds tolerance (replayed or delayed delivery?)", SignatureHeader, skew, limit)}
	case -skew > limit:
		return &authError{Code: "timestamp_out_of_range", Msg: fmt.Sprintf("%s: timestamp is %ds in the future, past the %ds tolerance (sender clock skew?)", SignatureHeader, -skew, limit)}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
