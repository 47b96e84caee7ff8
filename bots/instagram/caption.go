package instagram

import (
	"github.com/fanfarehq/fanfare/content/text"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Caption limits of the content publishing API.
const (
	MaxCaption  = 2200
	MaxHashtags = 30
	MaxMentions = 20
)

// CaptionCheck is what CheckCaption says about a caption.
type CaptionCheck struct {
	Length   int    `json:"length"` // UTF-16 code units: an emoji outside the BMP counts 2
	Max      int    `json:"max"`
	Hashtags int    `json:"hashtags"`
	Mentions int    `json:"mentions"`
	HasLinks bool   `json:"has_links"`
	Valid    bool   `json:"valid"`
	Reason   string `json:"reason,omitempty"`
}

var (
	mention = regexp.MustCompile(`(^|[^\p{L}\p{N}_.])@[A-Za-z0-9_.]{1,30}`)
)

// CheckCaption checks a caption against Instagram's rules: at most 2,200
// characters (counted in UTF-16 code units, the conservative reading: Meta
// does not say how it counts), 30 hashtags and 20 @mentions. Links are
// allowed but not clickable in captions, so HasLinks tells the composer to
// word the caption around them ("lien en bio", "link in bio") rather than
// rely on them; it does not make the caption invalid. An empty caption is
// valid: the image is the post.
func CheckCaption(s string) CaptionCheck {
	c := CaptionCheck{
		Length:   len(utf16.Encode([]rune(s))),
		Max:      MaxCaption,
		Hashtags: text.CountHashtags(s),
		Mentions: len(mention.FindAllStringIndex(s, -1)),
		HasLinks: len(text.FindLinks(s)) > 0,
	}
	switch {
	case c.Length > MaxCaption:
		c.Reason = "longer than 2,200 characters"
	case c.Hashtags > MaxHashtags:
		c.Reason = "more than 30 hashtags"
	case c.Mentions > MaxMentions:
		c.Reason = "more than 20 @mentions"
	}
	c.Valid = c.Reason == ""
	return c
}

// ContainsLink reports whether a caption has a link, which Instagram shows
// as plain text.
func ContainsLink(caption string) bool { return len(text.FindLinks(caption)) > 0 }

// trimCaption drops surrounding white space Instagram would drop anyway.
func trimCaption(s string) string { return strings.TrimSpace(s) }
