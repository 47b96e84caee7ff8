package text

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// tldSets splits twitter-text's top-level domains into the ASCII ones (a
// set: an ASCII TLD must cover a whole run of letters and digits, so at most
// one can match) and the others, in twitter-text's order (the first that
// matches wins, as in its expression).
var tldSets = sync.OnceValues(func() (map[string]bool, []string) {
	ascii := map[string]bool{}
	var unicodeTLDs []string
	for _, list := range [][]string{gTLDs[:], ccTLDs[:]} {
		for _, t := range list {
			if isASCIIString(t) {
				ascii[strings.ToLower(t)] = true
			} else {
				unicodeTLDs = append(unicodeTLDs, t)
			}
		}
	}
	return ascii, unicodeTLDs
})

// tldEnd matches a top-level domain at byte e of s as twitter-text does: one
// of its TLDs (any case) not followed by an ASCII letter or digit, "@", "+"
// or "-", so "foo.comm" and "name.al-x" have none while "example.comだよ"
// ends at "com"; else a punycode TLD ("xn--" and more letters, digits or
// hyphens).
func tldEnd(s string, e int) (int, bool) {
	if e >= len(s) {
		return 0, false
	}
	ascii, unicodeTLDs := tldSets()
	if s[e] < utf8.RuneSelf {
		j := e
		for j < len(s) && isASCIIAlnum(s[j]) {
			j++
		}
		if j > e && tldMayEndBefore(s, j) && ascii[strings.ToLower(s[e:j])] {
			return j, true
		}
		return punycodeTLDEnd(s, e)
	}
	for _, t := range unicodeTLDs {
		if n, ok := hasPrefixJSFold(s[e:], t); ok && tldMayEndBefore(s, e+n) {
			return e + n, true
		}
	}
	return 0, false
}

// hasPrefixJSFold reports whether s starts with prefix, compared as a
// JavaScript expression with the i flag does, and how many bytes of s it
// covers.
func hasPrefixJSFold(s, prefix string) (int, bool) {
	i := 0
	for _, p := range prefix {
		if i >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != p && jsFold(r) != jsFold(p) {
			return 0, false
		}
		i += size
	}
	return i, true
}

func tldMayEndBefore(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	return !isASCIIAlnum(c) && c != '@' && c != '+' && c != '-'
}

// punycodeTLDEnd matches "xn--" (any case) and at least one more letter,
// digit or hyphen.
func punycodeTLDEnd(s string, e int) (int, bool) {
	if !hasPrefixFold(s[e:], "xn--") {
		return 0, false
	}
	j := e + len("xn--")
	for j < len(s) && (isASCIIAlnum(s[j]) || s[j] == '-') {
		j++
	}
	return j, j > e+len("xn--")
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
