package text

import "golang.org/x/net/publicsuffix"

// isTLD reports whether label (lower case, ASCII or punycode) is a top-level
// domain in the ICANN section of the Public Suffix List. Asking about a name
// under it also catches the TLDs listed only through a wildcard ("*.ck"); a
// label the list does not know falls to the implicit "*" rule, which is not
// ICANN's.
func isTLD(label string) bool {
	suffix, icann := publicsuffix.PublicSuffix("a." + label)
	return icann && (suffix == label || suffix == "a."+label)
}
