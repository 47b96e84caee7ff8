package bluesky

import (
	"github.com/fanfarehq/fanfare/content/text"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Text limits of app.bsky.feed.post.
const (
	MaxGraphemes = 300
	MaxTextBytes = 3000
	maxTagLength = 64 // graphemes, app.bsky.richtext.facet#tag
)

// TextCheck is what CheckText says about a post text.
type TextCheck struct {
	Length int  `json:"length"` // graphemes
	Max    int  `json:"max"`
	Bytes  int  `json:"bytes"`
	Valid  bool `json:"valid"`
}

// CheckText measures s as the lexicon does: at most 300 graphemes (user-
// perceived characters: an emoji family is one) and 3,000 UTF-8 bytes, and
// not blank. Links count in full: Bluesky does not shorten them, so the
// composer should keep them short (the campaign link also rides in the
// external embed's card).
func CheckText(s string) TextCheck {
	n := uniseg.GraphemeClusterCount(s)
	return TextCheck{Length: n, Max: MaxGraphemes, Bytes: len(s),
		Valid: strings.TrimSpace(s) != "" && n <= MaxGraphemes && len(s) <= MaxTextBytes}
}

// Facet is an app.bsky.richtext.facet.
type Facet struct {
	Index    ByteSlice `json:"index"`
	Features []Feature `json:"features"`
}

// ByteSlice is a facet's range: UTF-8 byte offsets into the text, end
// exclusive.
type ByteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// Feature is one facet feature: a link, a mention or a tag.
type Feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"` // #link
	DID  string `json:"did,omitempty"` // #mention
	Tag  string `json:"tag,omitempty"` // #tag
}

// Feature types.
const (
	FeatureLink    = "app.bsky.richtext.facet#link"
	FeatureMention = "app.bsky.richtext.facet#mention"
	FeatureTag     = "app.bsky.richtext.facet#tag"
)

// Mention is a handle mentioned in a text, with its byte range (the @
// included).
type Mention struct {
	Handle string
	Start  int
	End    int
}

// handleMention is the official client's mention pattern: an @ at the start,
// after white space or "(", then a handle-shaped name.
var handleMention = regexp.MustCompile(`(^|\s|\()@([a-zA-Z0-9.-]+)`)

// validHandle is the handle syntax: a domain name of at least two labels
// whose last label starts with a letter.
var validHandle = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// Mentions finds the @handle mentions of s.
func Mentions(s string) []Mention {
	var out []Mention
	for _, m := range handleMention.FindAllStringSubmatchIndex(s, -1) {
		start, end := m[4]-1, m[5]
		handle := strings.TrimRight(s[m[4]:m[5]], ".-")
		end = m[4] + len(handle)
		if len(handle) > 253 || !validHandle.MatchString(handle) {
			continue
		}
		out = append(out, Mention{Handle: strings.ToLower(handle), Start: start, End: end})
	}
	return out
}

// LinkFacets returns a link facet for every link in s (a link without scheme
// gets https://), with UTF-8 byte offsets.
func LinkFacets(s string) []Facet {
	var out []Facet
	for _, u := range text.FindLinks(s) {
		uri := u.URL
		if !text.HasScheme(uri) {
			uri = "https://" + uri
		}
		if _, err := url.Parse(uri); err != nil {
			continue
		}
		out = append(out, Facet{Index: ByteSlice{u.Start, u.End}, Features: []Feature{{Type: FeatureLink, URI: uri}}})
	}
	return out
}

// TagFacets returns a tag facet for every #hashtag of s: a # at the start or
// after white space, then a run of non-space characters without trailing
// punctuation that is not only digits, at most 64 graphemes.
func TagFacets(s string) []Facet {
	var out []Facet
	for i := 0; i < len(s); i++ {
		if s[i] != '#' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if !unicode.IsSpace(prev) {
				continue
			}
		}
		j := i + 1
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += size
		}
		tag := strings.TrimRightFunc(s[i+1:j], unicode.IsPunct)
		if tag == "" || strings.IndexFunc(tag, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 ||
			uniseg.GraphemeClusterCount(tag) > maxTagLength {
			continue
		}
		out = append(out, Facet{Index: ByteSlice{i, i + 1 + len(tag)}, Features: []Feature{{Type: FeatureTag, Tag: tag}}})
		i += len(tag)
	}
	return out
}
