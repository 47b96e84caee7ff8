// Package urlredact hides the secrets a URL may carry (user info, and query
// values named like keys or tokens) so that it can be shown, logged or
// printed: feed URLs are often private feeds with an api_key.
package urlredact

import (
	"net/url"
	"slices"
	"strings"
)

// Mask replaces each secret.
const Mask = "REDACTED"

// secretParams are query parameter names (lowercase, without - or _) whose
// values are secrets.
var secretParams = []string{"key", "apikey", "token", "accesstoken", "authtoken", "auth", "secret", "clientsecret",
	"password", "passwd", "pass", "pwd", "sig", "signature", "session", "sessionid", "credential", "credentials", "jwt", "code"}

// IsSecretParam reports whether a query parameter's value is hidden.
func IsSecretParam(name string) bool {
	lower := strings.ToLower(name)
	parts := strings.FieldsFunc(lower, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	parts = append(parts, strings.Join(parts, "")) // apiKey, api_key, api-key
	for _, p := range parts {
		if slices.Contains(secretParams, p) {
			return true
		}
	}
	return false
}

// URL returns raw with its user info and secret query values replaced by
// Mask; other parts are kept so that a person still knows which feed it is.
// Text that does not parse as a URL is returned masked whole when it could
// hold a secret (an @ or a =), as is otherwise.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "@=") {
			return Mask
		}
		return raw
	}
	changed := false
	if u.User != nil {
		u.User = url.User(Mask)
		changed = true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			u.RawQuery = Mask
			changed = true
		} else {
			for k := range q {
				if IsSecretParam(k) {
					q[k] = []string{Mask}
					changed = true
				}
			}
			if changed {
				u.RawQuery = q.Encode()
			}
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

// Text replaces every URL found in s (an error message, say) by its redacted
// form.
func Text(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '"' || r == '\'' || r == '\n' || r == '<' || r == '>' })
	for _, f := range fields {
		if strings.Contains(f, "://") {
			if r := URL(f); r != f {
				s = strings.ReplaceAll(s, f, r)
			}
		}
	}
	return s
}
