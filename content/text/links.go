package text

import (
	"net/url"
	"regexp"
	"strings"
)

// The links in a post's text, for the networks that count or mark them
// themselves: Mastodon counts every http(s) URL as 23 characters, Bluesky
// wants each link as a facet, Instagram shows them as plain text.

// looseURL is an http(s) URL up to the next white space, without trailing
// punctuation: what Mastodon and Bluesky link whatever the top-level domain.
var looseURL = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]*[^\s<>".,;:!?)'»]`)

// FindLinks returns the links in s, in order, with byte offsets: the ones
// twitter-text's extractor finds (with or without a scheme, hosts under known
// top-level domains, balanced parentheses kept), and in the text between them
// any other http(s) URL (a host under a top-level domain the extractor does
// not know, like .example or .internal).
func FindLinks(s string) []URLSpan {
	var out []URLSpan
	loose := func(from, to int) {
		for _, loc := range looseURL.FindAllStringIndex(s[from:to], -1) {
			out = append(out, URLSpan{URL: s[from+loc[0] : from+loc[1]], Start: from + loc[0], End: from + loc[1]})
		}
	}
	last := 0
	for _, u := range ExtractURLs(s) {
		if u.Start < last {
			continue
		}
		loose(last, u.Start)
		out = append(out, u)
		last = u.End
	}
	loose(last, len(s))
	return out
}

// HasScheme reports whether u starts with http:// or https://.
func HasScheme(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// PlainAddress is a URL as a person would type it: host and path, without
// scheme, query or fragment ("platform.example/p/tiny-forest"); "" when raw
// is not an absolute URL. Instagram captions and Bluesky posts write links
// this way.
func PlainAddress(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimSuffix(u.Host+u.EscapedPath(), "/")
}
