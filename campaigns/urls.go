package campaigns

import (
	"net/url"
	"strings"
)

// normalizeURL reduces a link to what identifies a campaign page: host
// (lowercase, without "www.") and path (without trailing slash). Scheme, port,
// query, fragment and user info are dropped, so a campaign URL matches the same
// page linked from a feed with tracking parameters. An unparsable link is
// returned trimmed, so it can only match itself.
func normalizeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		// Scheme-less links ("example.com/p/x") parse as a path.
		if err == nil && u.Scheme == "" && !strings.HasPrefix(raw, "/") {
			if v, err := url.Parse("https://" + raw); err == nil && v.Host != "" {
				u = v
			} else {
				return raw
			}
		} else {
			return raw
		}
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	return host + strings.TrimRight(u.EscapedPath(), "/")
}
