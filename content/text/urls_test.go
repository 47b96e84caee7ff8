package text

import (
	"reflect"
	"strings"
	"testing"
)

// TestExtractURLs covers what the conformance suite does not: byte offsets,
// twitter-text's own top-level domains, and the quirks of its JavaScript
// version that X's counter in the dashboard shows.
func TestExtractURLs(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []URLSpan
		// quirk: twitter-text reports a URL text that is not the text at
		// its span.
		quirk bool
	}{
		{"byte offsets after accents", "Été : fanfare.fr/p/1 !", []URLSpan{{"fanfare.fr/p/1", 8, 22}}, false},
		{"scheme, port, query", "→ HTTPS://Fanfare.FR:8443/a_(b)?x=1&y=2.", []URLSpan{{"HTTPS://Fanfare.FR:8443/a_(b)?x=1&y=2", 4, 41}}, false},
		{"newer gTLD", "voir fanfare.paris", []URLSpan{{"fanfare.paris", 5, 18}}, false},
		{"ccTLD", "x.ck", []URLSpan{{"x.ck", 0, 4}}, false},
		{"any script in a label", "http://例え.jp", []URLSpan{{"http://例え.jp", 0, 16}}, false},
		{"without a scheme, only the ASCII domain", "voir 例え.jp et www.例え.jp", nil, false},
		{"without a scheme or path, no query", "www.google.com?q=1", []URLSpan{{"www.google.com", 0, 14}}, false},
		{"without a scheme, with a path, the query", "www.google.com/s?q=1", []URLSpan{{"www.google.com/s?q=1", 0, 20}}, false},
		{"right after an emoji's high surrogate", "#👍.a.com", []URLSpan{{"a.com", 6, 11}}, false},
		{"reserved names are not TLDs", "fanfare.example fanfare.test fanfare.local fanfare.invalid", nil, false},
		{"file names are not URLs", "notes.txt archive.tar.gz", nil, false},
		{"email is not a URL", "contact@fanfare.fr", nil, false},
		{"t.co slug cut", "https://t.co/abc123)", []URLSpan{{"https://t.co/abc123", 0, 19}}, false},
		{"host label over 63 bytes", "http://" + strings.Repeat("a", 64) + ".com", nil, false},
		{"host label of 63 bytes", "http://" + strings.Repeat("a", 63) + ".com", []URLSpan{{"http://" + strings.Repeat("a", 63) + ".com", 0, 74}}, false},
		{"no dot", "http://localhost:8080", nil, false},
		{"the ASCII domain placed at its first occurrence", "twitter.みんなtwitter.みんな", []URLSpan{{"twitter.みんな", 0, 17}}, false},
		{"the last ASCII domain with the path of the whole host", "a.com.例え.jp/x", []URLSpan{{"a.com/x", 0, 17}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractURLs(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ExtractURLs(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
			for _, sp := range got {
				if tt.text[sp.Start:sp.End] != sp.URL && !tt.quirk {
					t.Errorf("span [%d,%d) is %q, URL %q", sp.Start, sp.End, tt.text[sp.Start:sp.End], sp.URL)
				}
			}
		})
	}
}
