package bots

import (
	"html"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Reconcile compares the text we meant to post with the text a network lists.
// Networks change it on the way: X returns &, < and > as HTML entities,
// replaces every link (a bare domain such as example.com/x included) by a
// t.co link of its own and appends a t.co link to a post's media; Graph
// appends the link to a photo post's caption; both may change white space
// (X turns \r\n into \n). The rule, applied to both sides alike:
//
//  1. undo the HTML entities and normalise to NFC;
//  2. replace every link-looking token by one placeholder, so any link
//     matches any link at the same place;
//  3. collapse runs of white space and trim.
//
// The texts match when they are then equal, or when the listed text only has
// extra link placeholders at its end (the media link, the caption's link).
// Two posts differing only in their links therefore match: composed posts
// carry the campaign's title besides its link, so this does not confuse
// campaigns, and the other error (a post left "unknown" for a person) is the
// safe one.

// linkToken matches a token a network would turn into a link (X into a t.co
// link): anything with a scheme, www., or a dotted host ending in a
// letters-only TLD, with an optional path.
var linkToken = regexp.MustCompile(`(?i)^(?:https?://\S+|www\.\S+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?:[/?#]\S*)?)$`)

const linkPlaceholder = "\x00link"

// ReconcileClockSkew widens the since of a search for a post: networks stamp
// a post's creation with their own clock.
const ReconcileClockSkew = 2 * time.Minute

// normalizeText turns a text into the form the rule compares.
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

// SameText reports whether got, as a network listed it, is the post we sent
// as want, by the rule above.
func SameText(want, got string) bool {
	return matchesNormalized(normalizeText(want), got)
}

// matchesNormalized is SameText with want already normalised, for searching
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

// PostMatcher is what a publisher's FindRecent looks for among the account's
// recent posts: a post with this text, created since a time.
type PostMatcher struct {
	want string // normalised once for the whole search
	from time.Time
}

// NewPostMatcher matches posts with text created since since, less
// ReconcileClockSkew.
func NewPostMatcher(text string, since time.Time) PostMatcher {
	return PostMatcher{want: normalizeText(text), from: since.Add(-ReconcileClockSkew)}
}

// Match reports whether a listed post is the one: its text is the same by
// SameText's rule and it was not created before the search's since. A zero
// created (the network did not say) is not held against the post.
func (m PostMatcher) Match(text string, created time.Time) bool {
	if !created.IsZero() && created.Before(m.from) {
		return false
	}
	return matchesNormalized(m.want, text)
}
