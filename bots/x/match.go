package x

import (
	"html"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Reconcile compares the text we meant to post with the text X returns. X
// changes it in three ways: &, < and > come back as HTML entities; every link
// (including a bare domain such as example.com/x) is replaced by a t.co link
// of its own; and a post with media gets a t.co link to the media appended.
// The rule, applied to both sides alike:
//
//  1. undo the HTML entities and normalise to NFC;
//  2. replace every link-looking token by one placeholder, so any link
//     matches any link at the same place;
//  3. collapse runs of white space (X turns \r\n into \n) and trim.
//
// The texts match when they are then equal, or when X's text only has extra
// link placeholders at its end (the media link). Two posts differing only in
// their links therefore match: composed posts carry the campaign's title
// besides its link, so this does not confuse campaigns, and the other error
// (a post left "unknown" for a person) is the safe one.

// linkToken matches a token X would turn into a t.co link: anything with a
// scheme, www., or a dotted host ending in a letters-only TLD, with an
// optional path.
var linkToken = regexp.MustCompile(`(?i)^(?:https?://\S+|www\.\S+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?:[/?#]\S*)?)$`)

const linkPlaceholder = "\x00link"

// normalizeText turns a text into the form compared by sameText.
func normalizeText(s string) string {
	s = norm.NFC.String(html.UnescapeString(s))
	fields := strings.Fields(s)
	for i, f := range fields {
		// Punctuation glued to the end of a link ("see x.com/a.") is kept apart,
		// as X's own link detection does.
		core := strings.TrimRight(f, ".,;:!?)»\"'")
		if linkToken.MatchString(core) {
			fields[i] = linkPlaceholder + f[len(core):]
		}
	}
	return strings.Join(fields, " ")
}

// sameText reports whether got (as X returned it) is the post we sent as want.
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
