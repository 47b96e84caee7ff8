package text

//go:generate go run ./internal/genemoji -o emoji_table.go

import (
	"sort"
	"unicode/utf8"
)

// Code points that build emoji sequences (UTS #51).
const (
	zwj             = '\u200D'
	vs15            = '\uFE0E' // text presentation selector
	vs16            = '\uFE0F' // emoji presentation selector
	combiningKeycap = '\u20E3'
	cancelTag       = '\U000E007F'
)

// emojiSequenceAt returns the length in bytes of the emoji sequence that starts
// at byte i of s, or 0 when none does.
//
// It follows the grammar of UTS #51 rather than twitter-text's list of the
// sequences known in 2020, so that emoji newer than that list count as one:
//
//	sequence := element (ZWJ element)*
//	element  := RI RI | [#*0-9] VS16? KEYCAP | [©®] VS16
//	          | pictograph (VS16 | modifier | tag+ CANCEL_TAG)?
//
// where a pictograph is any Extended_Pictographic code point not followed by
// VS15. Two choices differ from twitter-text's list, and only on sequences no
// vendor draws as one glyph: a modifier after a pictograph that is not a
// modifier base, and a ZWJ sequence that is not recommended, each count once.
// © and ® count as emoji only with VS16, as in twitter-text: alone they are
// Latin-1 text.
func emojiSequenceAt(s string, i int) int {
	n := emojiElementAt(s, i)
	if n == 0 {
		return 0
	}
	j := i + n
	for {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r != zwj {
			break
		}
		m := emojiElementAt(s, j+size)
		if m == 0 {
			break // a trailing ZWJ is text, as in twitter-text
		}
		j += size + m
	}
	return j - i
}

// emojiElementAt returns the length in bytes of the emoji element at byte i of
// s, or 0. See emojiSequenceAt for the grammar.
func emojiElementAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	// Fast path: below U+203C only the keycap bases, © and ® can start an
	// element, and those are ASCII or Latin-1.
	if r < 0x203C && !isKeycapBase(r) && r != '©' && r != '®' {
		return 0
	}
	next, nsize := utf8.DecodeRuneInString(s[i+size:])
	switch {
	case isRegionalIndicator(r):
		if isRegionalIndicator(next) {
			return size + nsize
		}
		return size
	case isKeycapBase(r):
		j := i + size
		if next == vs16 {
			j += nsize
			next, nsize = utf8.DecodeRuneInString(s[j:])
		}
		if next == combiningKeycap {
			return j + nsize - i
		}
		return 0
	case r == '©' || r == '®':
		if next == vs16 {
			return size + nsize
		}
		return 0
	case isExtendedPictographic(r):
		switch {
		case next == vs15:
			return 0
		case next == vs16 || isEmojiModifier(next):
			return size + nsize
		case isTagSpec(next):
			j := i + size
			for {
				t, tsize := utf8.DecodeRuneInString(s[j:])
				if t == cancelTag {
					return j + tsize - i
				}
				if !isTagSpec(t) {
					return size // an unterminated tag run is not part of the emoji
				}
				j += tsize
			}
		}
		return size
	}
	return 0
}

func isKeycapBase(r rune) bool {
	return r == '#' || r == '*' || r >= '0' && r <= '9'
}

func isRegionalIndicator(r rune) bool {
	return r >= 0x1F1E6 && r <= 0x1F1FF
}

func isEmojiModifier(r rune) bool {
	return r >= 0x1F3FB && r <= 0x1F3FF
}

// isTagSpec reports the tag characters that spell a subdivision flag's region
// (U+E0020–U+E007E); U+E007F ends the run.
func isTagSpec(r rune) bool {
	return r >= 0xE0020 && r <= 0xE007E
}

func isExtendedPictographic(r rune) bool {
	t := extendedPictographic[:]
	k := sort.Search(len(t), func(k int) bool { return t[k][1] >= r })
	return k < len(t) && t[k][0] <= r
}
