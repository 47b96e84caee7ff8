// Package termsafe makes text from strangers safe to print on a terminal.
// Campaign titles, creator names and ids come from platforms and creators; an
// ESC sequence among them could rewrite the screen (move the cursor, hide
// lines, set the window title), a right-to-left override could reverse what
// follows. String writes such characters as visible escapes instead.
package termsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with every control character (C0, DEL, C1), bidirectional
// formatting character, other invisible format character and invalid byte
// written as a Go escape: "\x1b[2J" prints as `\x1b[2J`, U+202E as `\u202e`.
// Printable text, spaces and the joiners emoji need are kept as they are.
func String(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case needsEscape(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			return asciiFree(s[i:])
		}
	}
	return true
}

// asciiFree is the slow check, from the first byte that is not plain ASCII.
func asciiFree(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || needsEscape(r) {
			return false
		}
		i += size
	}
	return true
}

func needsEscape(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r == '\u200c' || r == '\u200d': // joiners: emoji sequences, Persian
		return false
	case unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029': // format: bidi controls, zero-width, BOM
		return true
	}
	return false
}

// JSON returns encoded JSON with the characters String escapes written as
// \uXXXX: encoding/json leaves C1 controls and bidi formatting characters raw,
// and a person may print `--json` output on a terminal. The result decodes to
// the same values (such characters only occur inside strings).
func JSON(b []byte) []byte {
	if safe(string(b)) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= utf8.RuneSelf && needsEscape(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
