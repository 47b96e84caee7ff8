// Package langcheck finds words of one language left on a page meant to be
// in another: the dashboard's tests render every page in French and fail on
// any English a person would read.
package langcheck

import (
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// Vocabulary is the set of words that must not appear: the words of texts
// (a catalog's messages in the unwanted language, sentences other code
// writes) minus the words both languages write alike.
func Vocabulary(texts []string, shared []string) map[string]bool {
	words := map[string]bool{}
	for _, t := range texts {
		for _, w := range Words(t) {
			words[w] = true
		}
	}
	for _, w := range shared {
		delete(words, strings.ToLower(w))
	}
	return words
}

var (
	// Addresses are not language.
	urlRE = regexp.MustCompile(`(?:https?|ftp|javascript)://\S+|[a-z0-9.-]+\.(?:org|com|net)\S*`)
	// Nor identifiers: a run of letters and digits with a digit in it (a
	// post id, an attempt's hex) may hold "be" or "face" by chance.
	idRE   = regexp.MustCompile(`[\p{L}\p{N}_-]*\p{N}[\p{L}\p{N}_-]*`)
	wordRE = regexp.MustCompile(`[\p{L}][\p{L}'’_]*`)
)

// Words splits a text into lower-case words, without addresses, and with
// French elisions undone ("l'envoi" → "envoi").
func Words(s string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(strings.ToLower(idRE.ReplaceAllString(urlRE.ReplaceAllString(s, " "), " ")), -1) {
		w = strings.Trim(w, "'’")
		if i := strings.IndexAny(w, "'’"); i >= 0 && i <= 2 {
			_, rest, _ := strings.Cut(w[i:], string([]rune(w[i:])[0]))
			w = rest
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Leaks reads what a person reads on a page — text, and the title,
// aria-label, placeholder and alt attributes — leaving out elements marked
// as another language than want (lang=…) and identifiers (<code>), and
// returns each word of vocabulary found, with the sentence it is in.
func Leaks(root *html.Node, want string, vocabulary map[string]bool) []string {
	var found []string
	seen := map[string]bool{}
	check := func(text string) {
		for _, w := range Words(text) {
			if vocabulary[w] && !seen[w+"|"+text] {
				seen[w+"|"+text] = true
				found = append(found, w+" in "+strings.Join(strings.Fields(text), " "))
			}
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "head":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "lang" && a.Val != want {
					return
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "aria-label", "placeholder", "alt":
					check(a.Val)
				}
			}
		}
		if n.Type == html.TextNode {
			check(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	sort.Strings(found)
	return found
}
