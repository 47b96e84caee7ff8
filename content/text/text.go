// Package text holds the text rules of each network: how X weighs a post
// (twitter-text's weighted length, config v3, as the official JavaScript
// library counts it), which URLs it shortens, how long a Facebook Page post
// may be; and the one place that decides how a post is shortened and set:
// Fit reads marks (Keep, Atom, Optional, Cut, Hashtag) to drop hashtags,
// then optional sentences, then cut the title, never inside a number, a
// name, a mention or a URL; Typography sets French no-break spaces; Inert
// turns a stranger's text into data that cannot mention, tag or link.
//
// Networks are plain strings, "x" and "facebook", so that package content can
// import this one without a cycle.
package text

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Network names, the same strings as content.NetworkX and content.NetworkFacebook.
const (
	NetworkX        = "x"
	NetworkFacebook = "facebook"
)

// XMaxWeighted is the most an X post may weigh (twitter-text config v3).
const XMaxWeighted = 280

// FacebookMax is the Facebook Page post message limit in characters.
const FacebookMax = 63206

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

// Check measures s for network "x" (weighted length, at most XMaxWeighted, no
// U+FFFE, U+FEFF or U+FFFF) or "facebook" (length, at most FacebookMax). On both
// networks an empty or whitespace-only text, or one that is not valid UTF-8, is
// not valid.
//
// Facebook's length is counted in UTF-16 code units, so a character outside the
// Basic Multilingual Plane (most emoji) counts 2: the Graph API does not say how
// it counts, and over-counting can only cut a post that would have fitted, never
// send one that is refused.
func Check(network, s string) (Result, error) {
	switch network {
	case NetworkX:
		p := V3.Parse(s)
		return Result{WeightedLength: p.WeightedLength, Max: XMaxWeighted, Valid: p.Valid}, nil
	case NetworkFacebook:
		n := utf16Len(s)
		valid := n <= FacebookMax && !isBlank(s) && utf8.ValidString(s)
		return Result{WeightedLength: n, Max: FacebookMax, Valid: valid}, nil
	default:
		return Result{}, unknownNetwork(network)
	}
}

func unknownNetwork(network string) error {
	return fmt.Errorf("text: unknown network %q (want %q or %q)", network, NetworkX, NetworkFacebook)
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
			return fmt.Errorf("is %d long, over the %s limit of %d", r.WeightedLength, network, r.Max)
		}
		return fmt.Errorf("is not a valid %s post (empty, or a character the network refuses)", network)
	}
	return nil
}
