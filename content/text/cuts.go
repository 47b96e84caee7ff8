package text

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// numberRE finds what must not be cut inside in text that carries no marks:
// a number with its group separators and decimals ("3 500", "1,250.50"),
// with a currency or percent sign before or after it ("3 500 €", "€1,250",
// "50 %", "1 250 $US", "1 250 CHF"). Spaces of any kind may separate groups,
// so "3 500 €" typed with plain spaces is one.
var numberRE = regexp.MustCompile(`(?:\p{Sc}+[\x{00A0}\x{202F} ]?)?\d+(?:[ \x{00A0}\x{202F}\x{2009},.'’]\d+)*(?:[ \x{00A0}\x{202F}]?(?:%|\p{Sc}+(?:[A-Z]{1,3}\b)?|[A-Z]{3}\b))?`)

// entityRE finds mentions, hashtags and cashtags, which a cut would break
// into something else.
var entityRE = regexp.MustCompile(`[@＠#＃$][\p{L}\p{M}\p{N}_]+`)

// protectedRanges lists the byte ranges of t that a cut must not fall inside:
// URLs, mentions, hashtags, cashtags, numbers and amounts.
func protectedRanges(t string) [][2]int {
	var out [][2]int
	for _, u := range ExtractURLs(t) {
		out = append(out, [2]int{u.Start, u.End})
	}
	for _, re := range []*regexp.Regexp{entityRE, numberRE} {
		for _, m := range re.FindAllStringIndex(t, -1) {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

// insideRanges marks, for each byte offset of a text of length n, whether a
// cut there would fall strictly inside one of ranges.
func insideRanges(n int, ranges [][2]int) []bool {
	inside := make([]bool, n+1)
	for _, r := range ranges {
		for p := r[0] + 1; p < r[1]; p++ {
			inside[p] = true
		}
	}
	return inside
}

// cutPoints lists, ascending, the byte offsets at which t may be cut before
// an ellipsis, none below min: where a line may break (UAX #14: after a
// space or a hyphen, between two ideographs), moved back over the spaces and
// punctuation that would dangle before the ellipsis ("Bravo, merci" →
// "Bravo…"), and never inside a protected range (see protectedRanges, plus
// extra) or a grapheme cluster. Below the first of them (a first word too
// long to keep whole) come the boundaries between grapheme clusters, so an
// accent, a flag or a family emoji is never split.
func cutPoints(t string, extra [][2]int, min int) []int {
	inside := insideRanges(len(t), append(protectedRanges(t), extra...))
	bounds := graphemeBounds(t)
	trim := func(p int) int {
		k := searchInts(bounds, p)
		for k > 0 && allDangle(t[bounds[k-1]:bounds[k]]) {
			k--
		}
		return bounds[k]
	}
	var words []int
	state := -1
	for rest, pos := t, 0; rest != ""; {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		pos += len(seg)
		if rest == "" {
			break
		}
		if c := trim(pos); c > min && !inside[c] && (len(words) == 0 || words[len(words)-1] < c) {
			words = append(words, c)
		}
	}
	limit := len(t)
	if len(words) > 0 {
		limit = words[0]
	}
	var cuts []int
	for _, b := range bounds[1 : len(bounds)-1] {
		if b >= limit {
			break
		}
		if c := trim(b); c > min && !inside[c] && (len(cuts) == 0 || cuts[len(cuts)-1] < c) {
			cuts = append(cuts, c)
		}
	}
	return append(cuts, words...)
}

// searchInts returns the index of p in the ascending bounds, which holds it.
func searchInts(bounds []int, p int) int {
	lo, hi := 0, len(bounds)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bounds[mid] < p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// graphemeBounds lists the byte offsets in s where a grapheme cluster starts,
// and len(s).
func graphemeBounds(s string) []int {
	bounds := make([]int, 0, utf8.RuneCountInString(s)+1)
	state := -1
	for rest, pos := s, 0; rest != ""; {
		var cluster string
		bounds = append(bounds, pos)
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		pos += len(cluster)
	}
	return append(bounds, len(s))
}

func allDangle(cluster string) bool {
	for _, r := range cluster {
		if !dangles(r) {
			return false
		}
	}
	return true
}

// dangles reports the characters that should not stand right before an
// ellipsis: white space and punctuation, except closing brackets and quotes.
func dangles(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) && !unicode.In(r, unicode.Pe, unicode.Pf)
}
