// Package text holds the text rules of each network: how X weighs a post
// (twitter-text's weighted length, config v3, as the official JavaScript
// library counts it), which URLs it shortens, how long a Facebook Page post
// may be; and the one place that decides how a post is shortened and set:
// Fit reads marks (Keep, Atom, Optional, Cut, Hashtag) to drop hashtags,
// then optional sentences, then cut the title, never inside a number, a
// name, a mention or a URL; Typography sets French no-break spaces; Inert
// turns a stranger's text into data that cannot mention, tag or link.
//
// Networks are plain strings ("x", "facebook", "instagram", "mastodon",
// "bluesky"), so that package content can import this one without a cycle. A
// channel is one account on a network: the network's name, then "@" and the
// account's name when the network has several ("x@platform_fr"); every
// function here takes a channel where it takes a network.
package text

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Network names, the same strings as content's Network constants.
const (
	NetworkX         = "x"
	NetworkFacebook  = "facebook"
	NetworkInstagram = "instagram"
	NetworkMastodon  = "mastodon"
	NetworkBluesky   = "bluesky"
)

// Networks lists every network Fanfare can post to, in the order screens
// show them.
var Networks = []string{NetworkX, NetworkFacebook, NetworkInstagram, NetworkMastodon, NetworkBluesky}

// NetworkOf is the network of a channel: "x" for "x@platform_fr" and for "x".
func NetworkOf(channel string) string {
	n, _, _ := strings.Cut(channel, "@")
	return n
}

// LinkInText reports whether a network carries a post's link in its text:
// X and Mastodon, which count any link as 23 characters. The others carry it
// beside the text (Facebook's link field, Bluesky's card with the link written
// short, Instagram's address written plainly).
func LinkInText(network string) bool {
	n := NetworkOf(network)
	return n == NetworkX || n == NetworkMastodon
}

// AccountOf is the account of a channel: "platform_fr" for "x@platform_fr",
// "" for a network's only (unnamed) account.
func AccountOf(channel string) string {
	_, a, _ := strings.Cut(channel, "@")
	return a
}

// Channel names an account on a network: the network alone for its unnamed
// account.
func Channel(network, account string) string {
	if account == "" {
		return network
	}
	return network + "@" + account
}

// XMaxWeighted is the most an X post may weigh (twitter-text config v3).
const XMaxWeighted = 280

// FacebookMax is the Facebook Page post message limit in characters.
const FacebookMax = 63206

// Instagram's caption limits (content publishing API): characters, counted
// in UTF-16 code units like Facebook's, and hashtags.
const (
	InstagramMax         = 2200
	InstagramMaxHashtags = 30
)

// MastodonMax is a stock instance's status limit (max_characters), each
// http(s) URL counting MastodonURLWeight; an instance may allow more, which
// its publisher reads from GET /api/v2/instance.
const (
	MastodonMax       = 500
	MastodonURLWeight = 23
)

// BlueskyMax is the app.bsky.feed.post text limit in graphemes; the record
// also takes at most BlueskyMaxBytes of UTF-8. Links count in full.
const (
	BlueskyMax      = 300
	BlueskyMaxBytes = 3000
)

// Result is what Check says about a text.
type Result struct {
	WeightedLength int  `json:"weighted_length"`
	Max            int  `json:"max"`
	Valid          bool `json:"valid"`
}

// WeightedLength is the X weighted length of s per twitter-text config v3,
// as the official library (JavaScript, 3.1.0) counts it: NFC first; code
// points 0–4351, 8192–8205, 8208–8223 and 8242–8247 weigh 1, others 2; each
// URL weighs 23; each emoji twemoji-parser 11 knows weighs 2. A differential
// test holds it to the library on generated hostile texts.
func WeightedLength(s string) int {
	return V3.WeightedLength(s)
}

// Check measures s for a channel's network: "x" (weighted length, at most
// XMaxWeighted, no U+FFFE, U+FEFF or U+FFFF), "facebook" (length, at most
// FacebookMax), "instagram" (length at most InstagramMax, at most
// InstagramMaxHashtags hashtags), "mastodon" (MastodonLength, at most
// MastodonMax) or "bluesky" (graphemes, at most BlueskyMax, and
// BlueskyMaxBytes bytes). On every network an empty or whitespace-only text,
// or one that is not valid UTF-8, is not valid.
//
// Facebook's and Instagram's lengths are counted in UTF-16 code units, so a
// character outside the Basic Multilingual Plane (most emoji) counts 2: the
// Graph API does not say how it counts, and over-counting can only cut a post
// that would have fitted, never send one that is refused.
func Check(network, s string) (Result, error) {
	ok := !isBlank(s) && utf8.ValidString(s)
	switch NetworkOf(network) {
	case NetworkX:
		p := V3.Parse(s)
		return Result{WeightedLength: p.WeightedLength, Max: XMaxWeighted, Valid: p.Valid}, nil
	case NetworkFacebook:
		n := utf16Len(s)
		return Result{WeightedLength: n, Max: FacebookMax, Valid: ok && n <= FacebookMax}, nil
	case NetworkInstagram:
		n := utf16Len(s)
		return Result{WeightedLength: n, Max: InstagramMax, Valid: ok && n <= InstagramMax && CountHashtags(s) <= InstagramMaxHashtags}, nil
	case NetworkMastodon:
		n := MastodonLength(s, MastodonURLWeight)
		return Result{WeightedLength: n, Max: MastodonMax, Valid: ok && n <= MastodonMax}, nil
	case NetworkBluesky:
		n := uniseg.GraphemeClusterCount(s)
		return Result{WeightedLength: n, Max: BlueskyMax, Valid: ok && n <= BlueskyMax && len(s) <= BlueskyMaxBytes}, nil
	default:
		return Result{}, unknownNetwork(network)
	}
}

func unknownNetwork(network string) error {
	return fmt.Errorf("text: unknown network %q (want one of %s)", network, strings.Join(Networks, ", "))
}

// isBlank reports whether s has nothing but white space. It is wider than
// twitter-text's Java trim (code units up to U+0020): a post of no-break spaces
// says nothing either.
func isBlank(s string) bool {
	return strings.TrimSpace(s) == ""
}

// utf16Len is the length of s in UTF-16 code units, the unit twitter-text and
// browsers count in. Invalid UTF-8 bytes count as U+FFFD, one unit each.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Validate is Check as an error for a text that cannot be posted, in words a
// person can act on: the approval queue, the composer and the CLI use it, so
// an edit that passes fits where it will be posted.
func Validate(network, s string) error {
	r, err := Check(network, s)
	if err != nil {
		return err
	}
	if !r.Valid {
		if r.WeightedLength > r.Max {
			return fmt.Errorf("is %d long, over the %s limit of %d", r.WeightedLength, NetworkOf(network), r.Max)
		}
		if NetworkOf(network) == NetworkInstagram && CountHashtags(s) > InstagramMaxHashtags {
			return fmt.Errorf("has %d hashtags, over the instagram limit of %d", CountHashtags(s), InstagramMaxHashtags)
		}
		return fmt.Errorf("is not a valid %s post (empty, or a character the network refuses)", NetworkOf(network))
	}
	return nil
}

// hashtagPattern is a hashtag as Instagram counts one: # then letters, digits
// and underscores with at least one letter, not glued to a word before it.
var hashtagPattern = regexp.MustCompile(`(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*`)

// CountHashtags counts the hashtags in s (Instagram takes at most 30).
func CountHashtags(s string) int { return len(hashtagPattern.FindAllStringIndex(s, -1)) }
