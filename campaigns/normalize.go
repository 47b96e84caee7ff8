package campaigns

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// A creator's text is data: it ends up inside posts, on the dashboard and in
// a terminal, none of which must be steered by it. Normalize cleans what
// sources send before anything is stored:
//
//   - one-line fields (title, creator name, category, stretch goal titles,
//     tags) lose line breaks and tabs (each run becomes one space), so a title
//     cannot push its own paragraph into a post;
//   - every field loses control characters (C0 other than the line breaks a
//     description keeps, DEL, C1: ESC sequences included), the bidirectional
//     embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: a
//     right-to-left override makes "gpj.exe" read "exe.jpg"), and the
//     noncharacters X refuses (U+FEFF, U+FFFE, U+FFFF);
//   - spaces and tabs collapse to one space (other spaces, such as the
//     no-break space French puts before a colon, are kept); invalid UTF-8
//     becomes U+FFFD; the ends are trimmed.
//
// Marks that do not reorder (U+200E, U+200F, U+061C) and joiners (U+200C,
// U+200D, which emoji sequences and Persian need) are kept.
func (c *Campaign) Normalize() {
	c.Title = CleanLine(c.Title)
	c.Creator.Name = CleanLine(c.Creator.Name)
	c.Creator.XHandle = strings.TrimSpace(c.Creator.XHandle)
	c.Creator.FacebookPage = CleanLine(c.Creator.FacebookPage)
	c.Category = CleanLine(c.Category)
	c.Description = CleanText(c.Description)
	c.URL = strings.TrimSpace(c.URL)
	c.ImageURL = strings.TrimSpace(c.ImageURL)
	// The slices may be the caller's: they are copied before the first change.
	cloned := false
	for i, g := range c.StretchGoals {
		if t := CleanLine(g.Title); t != g.Title {
			if !cloned {
				c.StretchGoals, cloned = slices.Clone(c.StretchGoals), true
			}
			c.StretchGoals[i].Title = t
		}
	}
	cloned = false
	for i, tag := range c.Tags {
		if t := CleanLine(tag); t != tag {
			if !cloned {
				c.Tags, cloned = slices.Clone(c.Tags), true
			}
			c.Tags[i] = t
		}
	}
}

// CleanLine makes s one line of plain text: line breaks and tabs become
// single spaces, runs of spaces collapse, control and bidi-override
// characters go, the ends are trimmed. Text already clean comes back as is,
// without a copy.
func CleanLine(s string) string { return clean(s, false) }

// CleanText is CleanLine for multi-line text (a description): line breaks
// are kept, as "\n", at most two in a row (one blank line).
func CleanText(s string) string { return clean(s, true) }

func clean(s string, multiline bool) string {
	// Spaces and line breaks around the text are the usual blemish (a
	// description ending in "\n"): cutting them costs no copy.
	if t := strings.Trim(s, " \t\r\n"); isClean(t, multiline) {
		return t
	}
	return rewrite(s, multiline)
}

// rewrite is clean without the shortcut.
func rewrite(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	space, breaks := false, 0
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case isLineBreak(r) && multiline:
			breaks++
			continue
		case isLineBreak(r) || r == ' ' || r == '\t':
			space = true
			continue
		case dropped(r):
			continue
		}
		if b.Len() > 0 {
			switch {
			case breaks > 0:
				b.WriteString("\n\n"[:min(breaks, 2)])
			case space:
				b.WriteByte(' ')
			}
		}
		space, breaks = false, 0
		b.WriteRune(r) // an invalid byte arrives as utf8.RuneError: written as U+FFFD
	}
	return b.String()
}

// isClean reports whether rewrite would return s unchanged, the usual case,
// without allocating. It may say no to a clean string (rewrite then makes the
// same string again), never yes to one that is not.
func isClean(s string, multiline bool) bool {
	if s == "" {
		return true
	}
	if last := s[len(s)-1]; s[0] == ' ' || s[0] == '\n' || last == ' ' || last == '\n' {
		return false
	}
	var prev byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' && (prev == ' ' || prev == '\n'):
				return false
			case c == '\n' && (!multiline || prev == ' ' || prev == '\n' && i+1 < len(s) && s[i+1] == '\n'):
				return false
			case c < 0x20 && c != '\n' || c == 0x7f:
				return false
			}
			prev = c
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropped(r) || isLineBreak(r) {
			return false
		}
		prev = 0
		i += size
	}
	return true
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// dropped are the characters no campaign text keeps.
func dropped(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0: // C0 and C1 controls, DEL
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069': // embeddings, overrides, isolates
		return true
	case r == '\ufeff' || r == '\ufffe' || r == '\uffff':
		return true
	}
	return false
}
