package composer

import (
	"fmt"
	"net/url"
	"strings"
)

// TagURL adds the UTM parameters that let the platform's analytics credit a
// visit to the post that brought it: utm_source is the network, utm_medium
// "social", utm_campaign the campaign id and utm_content what the post is
// about (a milestone, "story"). The URL's own query parameters and fragment
// are kept; UTM parameters already present are replaced, so tagging twice
// gives the same URL.
func TagURL(raw, network, campaignID, content string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("composer: unable to tag link %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("composer: unable to tag link %q: not an absolute http(s) URL", raw)
	}
	q := u.Query()
	for _, kv := range [...][2]string{
		{"utm_source", network},
		{"utm_medium", "social"},
		{"utm_campaign", campaignID},
		{"utm_content", content},
	} {
		if kv[1] == "" {
			q.Del(kv[0])
			continue
		}
		q.Set(kv[0], kv[1])
	}
	// Encode sorts the keys, so the same inputs always give the same link:
	// X and Facebook dedupe on text, and the dashboard diffs edits.
	u.RawQuery = q.Encode()
	return u.String(), nil
}
