package mastodon

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns a status's HTML content back into the text that was
// posted: Mastodon wraps paragraphs (blank-line separated) in <p>, turns
// single line breaks into <br />, and wraps links, mentions and hashtags in
// <a> and <span> elements, hiding the scheme and the tail of long URLs in
// "invisible" spans whose text is still there. So the text of every element
// is kept, <br> is a line break and a new paragraph a blank line.
func PlainText(content string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(content))
	paragraphs := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br":
				b.WriteByte('\n')
			case "p":
				if paragraphs > 0 {
					b.WriteString("\n\n")
				}
				paragraphs++
			}
		}
	}
}
