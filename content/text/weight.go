package text

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Config is a twitter-text weighting configuration, with the fields and JSON
// names of twitter-text's config/v*.json (see its config README).
type Config struct {
	Version                int             `json:"version"`
	MaxWeightedTweetLength int             `json:"maxWeightedTweetLength"`
	Scale                  int             `json:"scale"`
	DefaultWeight          int             `json:"defaultWeight"`
	EmojiParsingEnabled    bool            `json:"emojiParsingEnabled"`
	TransformedURLLength   int             `json:"transformedURLLength"`
	Ranges                 []WeightedRange `json:"ranges"`
}

// WeightedRange gives the code points Start through End (inclusive) a weight
// other than the default.
type WeightedRange struct {
	Start  rune `json:"start"`
	End    rune `json:"end"`
	Weight int  `json:"weight"`
}

// defaultTransformedURLLength is what a URL weighs when a config leaves
// transformedURLLength out (twitter-text config README).
const defaultTransformedURLLength = 23

// v2Ranges are the code points that weigh 1 (100 at scale 100) since
// twitter-text v2: Basic Latin to Georgian, the General Punctuation spaces,
// hyphens and quotes.
var v2Ranges = []WeightedRange{
	{Start: 0, End: 4351, Weight: 100},
	{Start: 8192, End: 8205, Weight: 100},
	{Start: 8208, End: 8223, Weight: 100},
	{Start: 8242, End: 8247, Weight: 100},
}

// V2 is twitter-text config v2: weighted code points, no emoji discount.
var V2 = Config{
	Version:                2,
	MaxWeightedTweetLength: 280,
	Scale:                  100,
	DefaultWeight:          200,
	TransformedURLLength:   23,
	Ranges:                 v2Ranges,
}

// V3 is twitter-text config v3, what X counts today: v2 plus every emoji
// sequence weighing the default weight once.
var V3 = Config{
	Version:                3,
	MaxWeightedTweetLength: 280,
	Scale:                  100,
	DefaultWeight:          200,
	EmojiParsingEnabled:    true,
	TransformedURLLength:   23,
	Ranges:                 v2Ranges,
}

// ParseConfig reads a twitter-text JSON configuration and checks it against the
// rules of the config README (required fields, minimum values).
func ParseConfig(data []byte) (Config, error) {
	var raw struct {
		Version                *int            `json:"version"`
		MaxWeightedTweetLength *int            `json:"maxWeightedTweetLength"`
		Scale                  *int            `json:"scale"`
		DefaultWeight          *int            `json:"defaultWeight"`
		EmojiParsingEnabled    bool            `json:"emojiParsingEnabled"`
		TransformedURLLength   *int            `json:"transformedURLLength"`
		Ranges                 []WeightedRange `json:"ranges"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("text: unable to parse config: %w", err)
	}
	var errs []error
	required := func(name string, v *int, min int) int {
		switch {
		case v == nil:
			errs = append(errs, fmt.Errorf("%s is required", name))
			return 0
		case *v < min:
			errs = append(errs, fmt.Errorf("%s is %d, want at least %d", name, *v, min))
		}
		return *v
	}
	c := Config{
		Version:                required("version", raw.Version, 0),
		MaxWeightedTweetLength: required("maxWeightedTweetLength", raw.MaxWeightedTweetLength, 0),
		Scale:                  required("scale", raw.Scale, 1),
		DefaultWeight:          required("defaultWeight", raw.DefaultWeight, 0),
		EmojiParsingEnabled:    raw.EmojiParsingEnabled,
		TransformedURLLength:   defaultTransformedURLLength,
		Ranges:                 raw.Ranges,
	}
	if raw.TransformedURLLength != nil {
		c.TransformedURLLength = required("transformedURLLength", raw.TransformedURLLength, 0)
	}
	for i, r := range c.Ranges {
		if r.Start < 0 || r.End < r.Start || r.Weight < 0 {
			errs = append(errs, fmt.Errorf("ranges[%d] is {start: %d, end: %d, weight: %d}, want 0 <= start <= end and weight >= 0",
				i, r.Start, r.End, r.Weight))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("text: invalid config: %w", err)
	}
	return c, nil
}

// Range is an inclusive span of UTF-16 code units, the unit twitter-text reports
// offsets in (and a browser's JavaScript indexes strings by).
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Parsed is twitter-text's parse result for a text.
type Parsed struct {
	// WeightedLength is the weighted length, in units of the config's scale.
	WeightedLength int `json:"weighted_length"`
	// Permillage is WeightedLength as thousandths of the maximum.
	Permillage int  `json:"permillage"`
	Valid      bool `json:"valid"`
	// DisplayRange covers the whole input text.
	DisplayRange Range `json:"display_range"`
	// ValidRange covers the part of the input that fits: what an editor leaves
	// unhighlighted.
	ValidRange Range `json:"valid_range"`
}

// WeightedLength is the weighted length of s under c.
func (c Config) WeightedLength(s string) int {
	return c.Parse(s).WeightedLength
}

// Parse measures s the way twitter-text's parseTweet does: it normalises s to
// NFC, then walks it, counting each URL found by ExtractURLs as
// TransformedURLLength, each emoji twemoji-parser recognises (when
// EmojiParsingEnabled) as DefaultWeight, and every other code point by its
// range's weight. U+FFFE, U+FEFF and U+FFFF make the text invalid, and so
// does invalid UTF-8. An empty text weighs 0 and is not valid.
//
// One rule is stricter than twitter-text's: a text of nothing but white
// space is not valid (X refuses it), although it weighs what twitter-text
// says.
func (c Config) Parse(s string) Parsed {
	if s == "" {
		return Parsed{}
	}
	n := norm.NFC.String(s)
	scale := max(c.Scale, 1)
	maxScaled := c.MaxWeightedTweetLength * scale
	urlWeight := c.TransformedURLLength * scale
	urls := ExtractURLs(n)
	var emoji [][2]int
	if c.EmojiParsingEnabled {
		emoji = emojiSpans(n)
	}

	invalid := !utf8.ValidString(s)
	weighted := 0
	offset := 0      // UTF-16 units of n walked so far
	validOffset := 0 // UTF-16 units of n within the limit
	for i := 0; i < len(n); {
		// A URL starting inside what the walk has already passed (an emoji,
		// say) is counted as plain text.
		for len(urls) > 0 && urls[0].Start < i {
			urls = urls[1:]
		}
		if len(urls) > 0 && urls[0].Start == i {
			// twitter-text skips as many UTF-16 units as its URL text has.
			end := skipUnits(n, i, utf16Len(urls[0].URL))
			units := utf16Len(n[i:end])
			weighted += urlWeight
			offset += units
			if weighted <= maxScaled {
				validOffset += units
			}
			i = end
			urls = urls[1:]
			continue
		}
		for len(emoji) > 0 && emoji[0][0] < i {
			emoji = emoji[1:] // an emoji that starts inside a URL is text
		}
		if len(emoji) > 0 && emoji[0][0] == i {
			size := emoji[0][1] - i
			emoji = emoji[1:]
			units := utf16Len(n[i : i+size])
			weighted += c.DefaultWeight
			offset += units
			if weighted <= maxScaled {
				validOffset += units
			}
			i += size
			continue
		}
		r, size := utf8.DecodeRuneInString(n[i:])
		weighted += c.weight(r)
		invalid = invalid || isInvalidChar(r)
		units := 1
		if r > 0xFFFF {
			units = 2
		}
		offset += units
		if !invalid && weighted <= maxScaled {
			validOffset += units
		}
		i += size
	}

	// Ranges are reported against the text as given, not its NFC form, the way
	// twitter-text shifts them.
	shift := utf16Len(s) - offset
	length := weighted / scale
	// twitter-text looks for refused characters outside URLs only, but a
	// refused character is refused anywhere ("http://a\ufeffb.com").
	refused := invalid || strings.ContainsAny(n, "\ufffe\ufeff\uffff")
	p := Parsed{
		WeightedLength: length,
		Valid:          !refused && length > 0 && length <= c.MaxWeightedTweetLength && !isBlank(s),
		DisplayRange:   Range{Start: 0, End: offset + shift - 1},
		ValidRange:     Range{Start: 0, End: validOffset + shift - 1},
	}
	if c.MaxWeightedTweetLength > 0 {
		p.Permillage = length * 1000 / c.MaxWeightedTweetLength
	}
	return p
}

// skipUnits returns the byte offset units UTF-16 code units after byte i of
// s (or len(s)), never inside a character.
func skipUnits(s string, i, units int) int {
	for i < len(s) && units > 0 {
		r, size := utf8.DecodeRuneInString(s[i:])
		units -= utf16.RuneLen(r)
		i += size
	}
	return i
}

// weight is what one code point outside URLs and emoji weighs, scaled.
func (c Config) weight(r rune) int {
	for _, rg := range c.Ranges {
		if r >= rg.Start && r <= rg.End {
			return rg.Weight
		}
	}
	return c.DefaultWeight
}

// isInvalidChar reports the code points twitter-text refuses anywhere in a post.
func isInvalidChar(r rune) bool {
	return r == 0xFFFE || r == 0xFEFF || r == 0xFFFF
}
