package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordJoiner (U+2060) is invisible and joins what it sits between: Inert
// puts one after an @, # or $ and after the dots of a URL so that the
// networks see no mention, hashtag, cashtag or link there.
const WordJoiner = '\u2060'

// maxInertRounds bounds Inert's passes over URLs: each pass leaves none of
// the URLs it saw, but breaking one can, in theory, reveal a shorter one.
const maxInertRounds = 4

// Inert makes text that strangers wrote (a campaign title, a creator's name,
// a stretch goal, a description) plain data in a post, never markup of the
// networks:
//
//   - line breaks, tabs and other white space runs become one space, and the
//     ends are trimmed;
//   - control characters, bidirectional overrides and isolates, format
//     characters other than the joiners emoji need (ZWJ, ZWNJ, tags), the
//     characters X refuses, noncharacters (Fit's marks among them) and
//     invalid UTF-8 are removed;
//   - an @ or # (and their full-width forms), and a $ before a letter, is
//     followed by a word joiner,
//     so "@jack" cannot mention anyone nor "#tag" tag anything, on X or
//     Facebook (whose "@[id]" tags a Page), and so is each dot of a URL,
//     which then links nowhere.
//
// It is idempotent. The text reads the same: a word joiner is invisible.
func Inert(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029 ||
			unicode.IsSpace(r) && r != NoBreakSpace && r != NarrowNoBreakSpace:
			space = true
			continue
		case dropInert(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := strings.TrimFunc(b.String(), unicode.IsSpace)
	out = joinAfterSigns(out)
	for range maxInertRounds {
		urls := ExtractURLs(out)
		if len(urls) == 0 {
			break
		}
		out = joinURLDots(out, urls)
	}
	return out
}

// dropInert reports the characters Inert removes.
func dropInert(r rune) bool {
	switch {
	case r == 0x200C || r == 0x200D || r >= 0xE0020 && r <= 0xE007F:
		return false // joiners and tags: emoji sequences, Persian
	case r == WordJoiner:
		return true // Inert puts its own back where they belong
	case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
		return true // controls, bidi marks and overrides, soft hyphens, BOM
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return true // noncharacters, Fit's marks among them; U+FFFE, U+FFFF
	case r == utf8.RuneError:
		return true
	}
	return false
}

// joinAfterSigns puts a word joiner after every @ and # (and full-width ＠
// ＃), and after a $ (＄) before a letter.
func joinAfterSigns(s string) string {
	if !strings.ContainsAny(s, "@#$＠＃＄") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		b.WriteRune(r)
		switch r {
		case '@', '#', '＠', '＃':
			b.WriteRune(WordJoiner)
		case '$', '＄':
			// A cashtag is letters: "$5" stays as it is.
			if next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):]); unicode.IsLetter(next) {
				b.WriteRune(WordJoiner)
			}
		}
	}
	return b.String()
}

// joinURLDots puts a word joiner after each dot and after "://" inside the
// URLs of s.
func joinURLDots(s string, urls []URLSpan) string {
	var b strings.Builder
	last := 0
	for _, u := range urls {
		if u.Start < last {
			continue
		}
		b.WriteString(s[last:u.Start])
		span := s[u.Start:u.End]
		span = strings.ReplaceAll(span, "://", "://"+string(WordJoiner))
		span = strings.ReplaceAll(span, ".", "."+string(WordJoiner))
		b.WriteString(span)
		last = u.End
	}
	b.WriteString(s[last:])
	return b.String()
}
