package curator

import (
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// matchAll as a keyword makes every item of the feed relevant (a creator's own
// blog, say).
const matchAll = "*"

// maxLinksPerItem bounds the campaign look-ups one item can cause: a feed
// stuffed with links must not turn into thousands of Redis calls.
const maxLinksPerItem = 20

// tokenize folds s for matching (case, accents: "Éco-Conçu" and "eco concu"
// match) and splits it into words of letters and digits.
func tokenize(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	folded = cases.Fold().String(folded)
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// keywordMatcher finds whole words or phrases: "art" matches "Art!" and "l'art"
// but not "party".
type keywordMatcher struct {
	all     bool
	phrases []string // " w1 w2 " form
}

func newKeywordMatcher(keywords []string) keywordMatcher {
	var m keywordMatcher
	for _, k := range keywords {
		if strings.TrimSpace(k) == matchAll {
			m.all = true
			continue
		}
		if toks := tokenize(k); len(toks) > 0 {
			m.phrases = append(m.phrases, " "+strings.Join(toks, " ")+" ")
		}
	}
	return m
}

// match reports whether any keyword is in any of the texts.
func (m keywordMatcher) match(texts ...string) bool {
	if m.all {
		return true
	}
	if len(m.phrases) == 0 {
		return false
	}
	for _, t := range texts {
		words := " " + strings.Join(tokenize(t), " ") + " "
		for _, p := range m.phrases {
			if strings.Contains(words, p) {
				return true
			}
		}
	}
	return false
}

// breaksWords are the elements that separate words: "a<b>b</b>c" is one word,
// "a<br>b" two.
var breaksWords = map[string]bool{
	"p": true, "br": true, "div": true, "li": true, "ul": true, "ol": true, "tr": true, "td": true,
	"th": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true,
	"blockquote": true, "pre": true, "section": true, "article": true, "figure": true,
	"figcaption": true, "img": true, "dt": true, "dd": true, "table": true,
}

// textAndLinks returns the text of an HTML fragment (or of plain text with
// entities) and the http(s) links it holds, resolved against base.
func textAndLinks(fragment string, base *url.URL) (string, []string) {
	if !strings.ContainsAny(fragment, "<&") {
		return fragment, nil
	}
	var text strings.Builder
	var links []string
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return text.String(), links
		case html.TextToken:
			text.Write(z.Text())
		case html.EndTagToken:
			if name, _ := z.TagName(); breaksWords[string(name)] {
				text.WriteByte(' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if breaksWords[string(name)] {
				text.WriteByte(' ')
			}
			if string(name) != "a" || !hasAttr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" {
					if u := absoluteHTTP(string(v), base); u != "" {
						links = append(links, u)
					}
				}
				if !more {
					break
				}
			}
		}
	}
}

// absoluteHTTP resolves ref against base and returns it when it is http(s).
func absoluteHTTP(ref string, base *url.URL) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "" // would resolve to base itself
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
