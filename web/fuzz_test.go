package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHighlight: whatever a post says, the preview segments put back together
// are the text, unchanged, and links carry an http(s) target.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{
		"", "Merci @atelier_lumiere https://example.org/p?a=1#x #crowdfunding",
		"mail@example.org @@x #", "example.org/path@user #tag/x", "é🎉 @a_b https://x.co", "https://a.b/#frag @x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, network := range []string{"x", "facebook", "x@platform_fr", "bluesky"} {
			var b strings.Builder
			for _, seg := range highlight(network, s) {
				b.WriteString(seg.Text)
				if seg.Kind == "link" && !strings.HasPrefix(seg.Href, "http://") && !strings.HasPrefix(seg.Href, "https://") {
					t.Errorf("link %q to %q", seg.Text, seg.Href)
				}
				if seg.Text == "" {
					t.Errorf("empty segment in %q", s)
				}
				if seg.Display != "" && (!strings.HasPrefix(network, "x") || seg.Kind != "link" || utf8.RuneCountInString(seg.Display) > xDisplayMax) {
					t.Errorf("%s: %s segment %q displayed as %q", network, seg.Kind, seg.Text, seg.Display)
				}
			}
			if b.String() != s {
				t.Fatalf("%s: segments %q, text %q", network, b.String(), s)
			}
		}
	})
}
