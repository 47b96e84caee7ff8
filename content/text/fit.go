package text

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Ellipsis marks where Fit cut the body.
const Ellipsis = "…"

// ErrTooLong is wrapped by Fit's error when what must survive (the tail, or the
// first character of the body when there is no tail) cannot fit the network.
var ErrTooLong = errors.New("text too long")

// Fit joins body and tail with a single space and, when the result is too long
// for the network, cuts body and appends Ellipsis. The tail holds what must
// survive (the creator mention, the link, hashtags) and is never touched.
//
// The cut falls before a space, as late as fits, with the punctuation and
// spaces that would dangle before the ellipsis dropped ("Bravo, merci" →
// "Bravo…"). When not even the first word fits, or the text has no spaces (as
// in Japanese), the cut falls between two grapheme clusters (UAX #29), so an
// accent, a flag or a family emoji is never split. When no part of the body
// fits, the result is the tail alone.
//
// The result always passes Check. Empty body: just the tail. Empty tail: just
// the (cut) body. A body or tail of white space only counts as empty. The
// error names what is wrong: an unknown network, invalid UTF-8 or a character
// the network refuses, nothing to post, or (wrapping ErrTooLong) a tail that
// cannot fit even with the whole body cut.
func Fit(network, body, tail string) (string, error) {
	if network != NetworkX && network != NetworkFacebook {
		return "", unknownNetwork(network)
	}
	if err := refusedText(network, "body", body); err != nil {
		return "", err
	}
	if err := refusedText(network, "tail", tail); err != nil {
		return "", err
	}
	// White space alone says nothing: keeping it would only shift the tail.
	if isBlank(body) {
		body = ""
	}
	if isBlank(tail) {
		tail = ""
	}
	if body == "" && tail == "" {
		return "", errors.New("text: nothing to post: body and tail are both empty")
	}
	whole := join(body, tail)
	res, err := Check(network, whole)
	if err != nil {
		return "", err
	}
	if res.Valid {
		return whole, nil
	}
	if body == "" {
		return "", fmt.Errorf("text: tail weighs %d on %s, over the %d allowed: %w", res.WeightedLength, network, res.Max, ErrTooLong)
	}
	if tail != "" {
		if least, _ := Check(network, join(Ellipsis, tail)); !least.Valid {
			return "", fmt.Errorf("text: tail weighs %d on %s with the ellipsis, over the %d allowed: %w",
				least.WeightedLength, network, least.Max, ErrTooLong)
		}
	}

	bounds := graphemeBounds(body)
	fits := func(cut int) bool {
		r, _ := Check(network, join(body[:cut]+Ellipsis, tail))
		return r.Valid
	}
	for _, cuts := range [][]int{wordCuts(body, bounds), graphemeCuts(body, bounds)} {
		if cut, ok := lastFitting(cuts, fits); ok {
			return join(body[:cut]+Ellipsis, tail), nil
		}
	}
	if tail != "" {
		return tail, nil
	}
	return "", fmt.Errorf("text: the first character of the body does not fit %s: %w", network, ErrTooLong)
}

// join puts a single space between body and tail when both are there.
func join(body, tail string) string {
	switch {
	case body == "":
		return tail
	case tail == "":
		return body
	}
	return body + " " + tail
}

// refusedText names what makes s impossible to post on network whatever the
// cut: invalid UTF-8 anywhere, and on X the characters it refuses.
func refusedText(network, part, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("text: %s is not valid UTF-8 at byte %d", part, i)
			}
		}
		if network == NetworkX && isInvalidChar(r) {
			return fmt.Errorf("text: %s contains U+%04X at byte %d, which X refuses", part, r, i)
		}
	}
	return nil
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

// wordCuts lists, in increasing order, the cuts before each white space in s
// (a cluster that starts with one: a space, "\r\n"), trimmed of the
// punctuation and spaces that would dangle before an ellipsis.
func wordCuts(s string, bounds []int) []int {
	var cuts []int
	for k := 1; k < len(bounds)-1; k++ {
		if r, _ := utf8.DecodeRuneInString(s[bounds[k]:]); unicode.IsSpace(r) {
			cuts = appendCut(cuts, s, bounds[:k+1])
		}
	}
	return cuts
}

// graphemeCuts lists every cut between two grapheme clusters of s, trimmed.
func graphemeCuts(s string, bounds []int) []int {
	var cuts []int
	for k := 1; k < len(bounds)-1; k++ {
		cuts = appendCut(cuts, s, bounds[:k+1])
	}
	return cuts
}

// appendCut trims the cut at the last of bounds and appends it to cuts unless
// nothing is left or it repeats the last one.
func appendCut(cuts []int, s string, bounds []int) []int {
	k := len(bounds) - 1
	for k > 0 && allDangle(s[bounds[k-1]:bounds[k]]) {
		k--
	}
	cut := bounds[k]
	if cut == 0 || len(cuts) > 0 && cuts[len(cuts)-1] == cut {
		return cuts
	}
	return append(cuts, cut)
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

// lastFitting returns the longest of the increasing cuts that fits. Weight grows
// with the cut almost everywhere (a cut cannot split a URL, which has no space),
// so a binary search finds it with few Checks; fits is asked about every answer.
func lastFitting(cuts []int, fits func(int) bool) (int, bool) {
	best := -1
	for lo, hi := 0, len(cuts)-1; lo <= hi; {
		mid := int(uint(lo+hi) >> 1)
		if fits(cuts[mid]) {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best < 0 {
		return 0, false
	}
	return cuts[best], true
}
