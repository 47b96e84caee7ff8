package webhook

import (
	"errors"
	"time"
)

// Verify checks a Fanfare-Signature header against a raw body with the
// secrets, as POST /hooks/campaigns does: for the other hooks the platform
// signs the same way (POST /hooks/pledges). Empty secrets are ignored; with
// none, nothing verifies. A refusal's code is SignatureErrorCode(err).
func Verify(header string, body []byte, secrets []string, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	s, err := parseSignature(header)
	if err != nil {
		return err
	}
	return verify(s, body, usableSecrets(secrets), now, tolerance)
}

// usableSecrets are the secrets that are set: an empty one (an unset
// ${VAR}) must never verify anything.
func usableSecrets(secrets []string) []string {
	var usable []string
	for _, s := range secrets {
		if s != "" {
			usable = append(usable, s)
		}
	}
	return usable
}

// SignatureErrorCode is the code of a Verify refusal (missing_signature,
// bad_signature, timestamp_out_of_range), "" for another error.
func SignatureErrorCode(err error) string {
	var ae *authError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}
