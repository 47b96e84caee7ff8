package mastodon

import (
	"strings"

	"github.com/fanfarehq/fanfare/content/text"
)

// Text limits of a stock Mastodon instance; GET /api/v2/instance says what
// an instance really allows (forks raise max_characters).
const (
	DefaultMaxCharacters            = 500
	DefaultCharactersReservedPerURL = 23
	DefaultMaxMediaAttachments      = 4
	DefaultImageSizeLimit           = 16 << 20
	// MaxMediaDescription is the longest media description (alt text)
	// Mastodon takes, in characters.
	MaxMediaDescription = 1500
)

// Limits are an instance's text and media limits.
type Limits struct {
	MaxCharacters            int   `json:"max_characters"`
	CharactersReservedPerURL int   `json:"characters_reserved_per_url"`
	MaxMediaAttachments      int   `json:"max_media_attachments"`
	ImageSizeLimit           int64 `json:"image_size_limit"`
}

// DefaultLimits are a stock instance's limits.
var DefaultLimits = Limits{
	MaxCharacters:            DefaultMaxCharacters,
	CharactersReservedPerURL: DefaultCharactersReservedPerURL,
	MaxMediaAttachments:      DefaultMaxMediaAttachments,
	ImageSizeLimit:           DefaultImageSizeLimit,
}

// withDefaults fills what an instance left out.
func (l Limits) withDefaults() Limits {
	if l.MaxCharacters <= 0 {
		l.MaxCharacters = DefaultMaxCharacters
	}
	if l.CharactersReservedPerURL <= 0 {
		l.CharactersReservedPerURL = DefaultCharactersReservedPerURL
	}
	if l.MaxMediaAttachments <= 0 {
		l.MaxMediaAttachments = DefaultMaxMediaAttachments
	}
	if l.ImageSizeLimit <= 0 {
		l.ImageSizeLimit = DefaultImageSizeLimit
	}
	return l
}

// TextCheck is what CheckText says about a status text.
type TextCheck struct {
	Length int  `json:"length"`
	Max    int  `json:"max"`
	Valid  bool `json:"valid"`
}

// CheckText measures s the way Mastodon's StatusLengthValidator does and
// says whether it fits the limits (zero limits mean DefaultLimits): valid
// when not blank and Length(s) ≤ MaxCharacters.
func CheckText(s string, l Limits) TextCheck {
	l = l.withDefaults()
	n := Length(s, l.CharactersReservedPerURL)
	return TextCheck{Length: n, Max: l.MaxCharacters, Valid: strings.TrimSpace(s) != "" && n <= l.MaxCharacters}
}

// Length is the length Mastodon counts for a status text (see
// text.MastodonLength); reservedPerURL 0 means 23.
func Length(s string, reservedPerURL int) int {
	if reservedPerURL <= 0 {
		reservedPerURL = DefaultCharactersReservedPerURL
	}
	return text.MastodonLength(s, reservedPerURL)
}
