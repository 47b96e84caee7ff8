package text

import (
	"strings"
	"unicode"
)

// No-break spaces of French typography.
const (
	// NarrowNoBreakSpace (U+202F) goes before ; ! and ?.
	NarrowNoBreakSpace = '\u202f'
	// NoBreakSpace (U+00A0) goes before : and %, inside « », between the
	// digit groups of an amount and before its currency sign (as CLDR and
	// FormatMoney write French amounts).
	NoBreakSpace = '\u00a0'
)

// Typography applies the typography of lang to s, once or many times alike
// (it is idempotent). Only French has rules; other languages come back as
// they are. Marks (see Keep) are transparent to it, so it can run on a text
// before Fit.
//
// French, as the Imprimerie nationale sets it and as a line must never
// break: a narrow no-break space (U+202F) before ; ! and ?, a no-break space
// (U+00A0) before : and inside « », replacing the spaces typed there or
// added where none was; the spaces between the digit groups of a number
// ("3 500 graines") and before an amount's currency sign or % become
// no-break spaces, and an amount of four digits or more is grouped
// ("12500 €" → "12 500 €"). Only amounts are grouped: a year or a postcode
// is left as it is.
//
// It never touches a URL, a mention, a hashtag or a cashtag, nor what is not
// punctuation of a sentence: a time (19:30), a ratio (1:2), "?!" after the
// first sign, a sign glued to a letter on its right ("Yahoo!Games"), or a
// sign at the start of a line.
func Typography(lang, s string) string {
	if lang != "fr" && !strings.HasPrefix(lang, "fr-") && !strings.HasPrefix(lang, "fr_") {
		return s
	}
	return frenchTypography(s)
}

// typoText is s seen without its marks: vis holds the indices, in runes, of
// the visible runes, so rules look at neighbours across marks.
type typoText struct {
	runes     []rune
	vis       []int
	protected []bool // per visible rune: inside a URL, mention, hashtag or cashtag
	// edits per visible rune: a rune to put before it (0 for none), whether
	// to delete it, and a replacement.
	before  []rune
	deleted []bool
	replace []rune
}

func frenchTypography(s string) string {
	if !strings.ContainsAny(s, "!?;:«»%0123456789") && !strings.ContainsFunc(s, isCurrencySign) {
		return s
	}
	t := &typoText{runes: []rune(s)}
	var plain strings.Builder
	var plainPos []int // byte offset in plain of each visible rune
	for i, r := range t.runes {
		if isMark(r) {
			continue
		}
		t.vis = append(t.vis, i)
		plainPos = append(plainPos, plain.Len())
		plain.WriteRune(r)
	}
	n := len(t.vis)
	t.protected = make([]bool, n)
	t.before = make([]rune, n)
	t.deleted = make([]bool, n)
	t.replace = make([]rune, n)
	p := plain.String()
	var spans [][2]int
	for _, u := range ExtractURLs(p) {
		spans = append(spans, [2]int{u.Start, u.End})
	}
	for _, m := range entityRE.FindAllStringIndex(p, -1) {
		spans = append(spans, [2]int{m[0], m[1]})
	}
	inSpan := make([]bool, len(p)+1)
	for _, sp := range spans {
		for i := sp[0]; i < sp[1]; i++ {
			inSpan[i] = true
		}
	}
	for k, pos := range plainPos {
		t.protected[k] = inSpan[pos]
	}

	for k := range n {
		if t.protected[k] {
			continue
		}
		switch r := t.at(k); r {
		case '!', '?':
			if t.isSentenceMark(k) {
				t.spaceBefore(k, NarrowNoBreakSpace)
			}
		case ';':
			if t.endsClause(k) {
				t.spaceBefore(k, NarrowNoBreakSpace)
			}
		case ':':
			if t.endsClause(k) {
				t.spaceBefore(k, NoBreakSpace)
			}
		case '»':
			t.spaceBefore(k, NoBreakSpace)
		case '«':
			t.spaceAfter(k, NoBreakSpace)
		}
	}
	t.amounts()
	return t.String()
}

func (t *typoText) at(k int) rune {
	if k < 0 || k >= len(t.vis) {
		return 0
	}
	return t.runes[t.vis[k]]
}

// isTypoSpace: the spaces the rules replace (not line breaks).
func isTypoSpace(r rune) bool { return r == '\t' || unicode.Is(unicode.Zs, r) }

// spaceRunBefore returns the first visible index of the run of spaces right
// before k (k itself when there is none).
func (t *typoText) spaceRunBefore(k int) int {
	j := k
	for j > 0 && isTypoSpace(t.at(j-1)) {
		j--
	}
	return j
}

// isSentenceMark: a ! or ? that ends a sentence or a clause: something
// other than a line start, an opening bracket or another ! or ? before it,
// and no letter or digit glued after it.
func (t *typoText) isSentenceMark(k int) bool {
	j := t.spaceRunBefore(k)
	prev := t.at(j - 1)
	if prev == 0 || prev == '\n' || prev == '\r' || strings.ContainsRune("([{«¿¡", prev) {
		return false
	}
	if j == k && (prev == '!' || prev == '?') {
		return false // the second of "?!"
	}
	next := t.at(k + 1)
	return !unicode.IsLetter(next) && !unicode.IsDigit(next)
}

// endsClause: a : or ; followed by a space, a line break, a closing quote or
// nothing, after something: "Objectif : 5 000 €", not "19:30" or ":)".
func (t *typoText) endsClause(k int) bool {
	j := t.spaceRunBefore(k)
	prev := t.at(j - 1)
	if prev == 0 || prev == '\n' || prev == '\r' {
		return false
	}
	next := t.at(k + 1)
	return next == 0 || unicode.IsSpace(next) || strings.ContainsRune("»\"”!?;:", next)
}

// spaceBefore makes the spaces right before k one no-break space sp, or adds
// one.
func (t *typoText) spaceBefore(k int, sp rune) {
	j := t.spaceRunBefore(k)
	if j == 0 {
		return
	}
	if prev := t.at(j - 1); prev == '\n' || prev == '\r' {
		return
	}
	t.setRun(j, k, sp)
}

// spaceAfter makes the spaces right after k one no-break space sp, or adds
// one, unless the line ends there.
func (t *typoText) spaceAfter(k int, sp rune) {
	j := k + 1
	for j < len(t.vis) && isTypoSpace(t.at(j)) {
		j++
	}
	if next := t.at(j); next == 0 || next == '\n' || next == '\r' {
		return
	}
	t.setRun(k+1, j, sp)
}

// setRun makes the run of spaces [j, k) one no-break space sp, or puts one
// before k when the run is empty. Two rules may want the same run (": »",
// "« :"): they agree on where it starts, and the wider space wins.
func (t *typoText) setRun(j, k int, sp rune) {
	if j == k {
		if t.before[k] == 0 || sp == NoBreakSpace {
			t.before[k] = sp
		}
		return
	}
	for i := j + 1; i < k; i++ {
		t.deleted[i] = true
	}
	if t.replace[j] == 0 || sp == NoBreakSpace {
		t.replace[j] = sp
	}
}

// amounts sets the spaces of numbers: the spaces between the digit groups
// of any number written in groups of three ("3 500 graines") become
// no-break spaces; and for an amount (a number followed by a currency sign
// or %), so does the space before the sign, and an integer part of four
// digits or more is grouped.
func (t *typoText) amounts() {
	n := len(t.vis)
	for k := 0; k < n; k++ {
		if !isDigit(t.at(k)) || isDigit(t.at(k-1)) || t.protected[k] {
			continue
		}
		// The integer part: groups of digits, the later ones of exactly
		// three, separated by one space.
		groups := [][2]int{{k, k}} // visible index ranges [start, end)
		e := k
		for e < n && isDigit(t.at(e)) {
			e++
		}
		groups[0][1] = e
		// A first group of four digits or more is a number of its own
		// ("2026 500 €" is a year, then an amount).
		first := e - k
		for first <= 3 && e+4 <= n && isTypoSpace(t.at(e)) && isDigit(t.at(e+1)) && isDigit(t.at(e+2)) && isDigit(t.at(e+3)) && !isDigit(t.at(e+4)) {
			groups = append(groups, [2]int{e + 1, e + 4})
			e += 4
		}
		intEnd := e
		// Decimals.
		if (t.at(e) == ',' || t.at(e) == '.') && isDigit(t.at(e+1)) {
			e++
			for e < n && isDigit(t.at(e)) {
				e++
			}
		}
		// The sign, after at most one space.
		s := e
		if isTypoSpace(t.at(s)) {
			s++
		}
		// A number written in groups keeps them together, amount or not
		// ("3 500 graines").
		for _, g := range groups[1:] {
			t.setRun(g[0]-1, g[0], NoBreakSpace)
		}
		sign := t.at(s)
		if sign != '%' && !isCurrencySign(sign) {
			k = e
			continue
		}
		if len(groups) == 1 && intEnd-k >= 4 {
			for i := intEnd - 3; i > k; i -= 3 {
				t.setRun(i, i, NoBreakSpace)
			}
		}
		t.setRun(e, s, NoBreakSpace)
		k = s
	}
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isCurrencySign(r rune) bool { return unicode.Is(unicode.Sc, r) }

func (t *typoText) String() string {
	var b strings.Builder
	b.Grow(len(t.runes) + 8)
	k := 0
	for i, r := range t.runes {
		if k < len(t.vis) && t.vis[k] == i {
			if t.before[k] != 0 {
				b.WriteRune(t.before[k])
			}
			switch {
			case t.deleted[k]:
			case t.replace[k] != 0:
				b.WriteRune(t.replace[k])
			default:
				b.WriteRune(r)
			}
			k++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
