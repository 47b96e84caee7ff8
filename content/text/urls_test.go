package text

import (
	"reflect"
	"strings"
	"testing"
)

// TestExtractURLs covers what the conformance suite does not: byte offsets,
// and top-level domains read from the Public Suffix List.
func TestExtractURLs(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []URLSpan
	}{
		{"byte offsets after accents", "Été : fanfare.fr/p/1 !", []URLSpan{{"fanfare.fr/p/1", 8, 22}}},
		{"scheme, port, query", "→ HTTPS://Fanfare.FR:8443/a_(b)?x=1&y=2.", []URLSpan{{"HTTPS://Fanfare.FR:8443/a_(b)?x=1&y=2", 4, 41}}},
		{"newer gTLD", "voir fanfare.paris", []URLSpan{{"fanfare.paris", 5, 18}}},
		{"ccTLD listed only as a wildcard (*.ck)", "x.ck", []URLSpan{{"x.ck", 0, 4}}},
		{"reserved names are not TLDs", "fanfare.example fanfare.test fanfare.local fanfare.invalid", nil},
		{"file names are not URLs", "notes.txt archive.tar.gz", nil},
		{"email is not a URL", "contact@fanfare.fr", nil},
		{"t.co slug cut", "https://t.co/abc123)", []URLSpan{{"https://t.co/abc123", 0, 19}}},
		{"host label over 63 bytes", "http://" + strings.Repeat("a", 64) + ".com", nil},
		{"host label of 63 bytes", "http://" + strings.Repeat("a", 63) + ".com", []URLSpan{{"http://" + strings.Repeat("a", 63) + ".com", 0, 74}}},
		{"no dot", "http://localhost:8080", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractURLs(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ExtractURLs(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
			for _, sp := range got {
				if tt.text[sp.Start:sp.End] != sp.URL {
					t.Errorf("span [%d,%d) is %q, URL %q", sp.Start, sp.End, tt.text[sp.Start:sp.End], sp.URL)
				}
			}
		})
	}
}
