package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// MastodonLength is the length Mastodon counts for a status text (its
// StatusLengthValidator): user-perceived characters (grapheme clusters),
// where every URL with an http or https scheme counts reservedPerURL (a URL
// without a scheme counts as typed), and a remote mention @user@domain
// counts only as @user.
func MastodonLength(s string, reservedPerURL int) int {
	n, last := 0, 0
	for _, u := range schemeURLs(s) {
		n += countMentions(s[last:u.Start]) + reservedPerURL
		last = u.End
	}
	return n + countMentions(s[last:])
}

// schemeURLs are the links with an http or https scheme: Mastodon's
// extractor leaves out the others.
func schemeURLs(s string) []URLSpan {
	var out []URLSpan
	for _, u := range FindLinks(s) {
		if HasScheme(u.URL) {
			out = append(out, u)
		}
	}
	return out
}

// countMentions counts s's graphemes with each @user@domain counted as
// @user, as Mastodon's mention pattern finds them: an @ not preceded by a
// word character, "=" or "/", a username of letters, digits, "_", "." and
// "-" (starting and ending with a letter, digit or "_"), then @ and a domain.
func countMentions(s string) int {
	n := 0
	for {
		i, userEnd, end := nextRemoteMention(s)
		if i < 0 {
			return n + uniseg.GraphemeClusterCount(s)
		}
		n += uniseg.GraphemeClusterCount(s[:userEnd])
		s = s[end:]
	}
}

// nextRemoteMention finds the next @user@domain in s: its start, the end of
// "@user" and the end of the domain, or -1.
func nextRemoteMention(s string) (start, userEnd, end int) {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if isWord(prev) || prev == '=' || prev == '/' {
				continue
			}
		}
		j := i + 1
		for j < len(s) && (isUserByte(s[j]) || s[j] == '.' || s[j] == '-') {
			j++
		}
		for j > i+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if j == i+1 || j >= len(s) || s[j] != '@' {
			continue
		}
		k := j + 1
		for k < len(s) {
			r, size := utf8.DecodeRuneInString(s[k:])
			if !isWord(r) && r != '.' && r != '-' {
				break
			}
			k += size
		}
		for k > j+1 && (s[k-1] == '.' || s[k-1] == '-') {
			k--
		}
		if k == j+1 {
			continue
		}
		return i, j, k
	}
	return -1, 0, 0
}

func isUserByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
