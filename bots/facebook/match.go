package facebook

import (
	"html"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Reconcile compares the text we meant to post with the message Graph lists.
// Graph returns messages as posted, but a photo post's caption carries the
// link after the text, and people (or Graph) may change white space. The
// rule, the same as bots/x's so both networks reconcile alike, applied to
// both sides:
//
//  1. undo any HTML entities and normalise to NFC;
//  2. replace every link-looking token by one placeholder, so any link
//     matches any link at the same place;
//  3. collapse runs of white space and trim.
//
// The texts match when they are then equal, or when the listed message only
// has extra link placeholders at its end (the link appended to a caption).
// Two posts differing only in their links therefore match: composed posts
// carry the campaign's title besides its link, and the other error (a post
// left "unknown" for a person) is the safe one.

var linkToken = regexp.MustCompile(`(?i)^(?:https?://\S+|www\.\S+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?:[/?#]\S*)?)$`)

const linkPlaceholder = "\x00link"

func normalizeText(s string) string {
	s = norm.NFC.String(html.UnescapeString(s))
	fields := strings.Fields(s)
	for i, f := range fields {
		core := strings.TrimRight(f, ".,;:!?)»\"'")
		if linkToken.MatchString(core) {
			fields[i] = linkPlaceholder + f[len(core):]
		}
	}
	return strings.Join(fields, " ")
}

// sameText reports whether got (as Graph listed it) is the post we sent as want.
func sameText(want, got string) bool {
	return matchesNormalized(normalizeText(want), got)
}

// matchesNormalized is sameText with want already normalised, for searching
// many posts for one text.
func matchesNormalized(w, got string) bool {
	if w == "" {
		return false
	}
	g := normalizeText(got)
	if w == g {
		return true
	}
	rest, ok := strings.CutPrefix(g, w)
	if !ok {
		return false
	}
	for _, f := range strings.Fields(rest) {
		if f != linkPlaceholder {
			return false
		}
	}
	return rest != "" && rest[0] == ' '
}
