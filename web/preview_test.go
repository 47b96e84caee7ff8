package web

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

func TestXDisplayURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/salon", "example.org/salon"},
		{"http://example.org", "example.org"},
		{"https://example.org/", "example.org"},
		{"https://www.example.org/p", "example.org/p"},
		{"example.org/p/lumiere", "example.org/p/lumiere"},
		// Tracking parameters and fragments show only as the ellipsis.
		{"https://example.org/p/lumiere?utm_source=x&utm_medium=social", "example.org/p/lumiere…"},
		{"https://example.org/#top", "example.org…"},
		// Exactly 23 characters fit; one more is cut to 22 and "…".
		{"https://abcdefghij.org/abcdefghi", "abcdefghij.org/abcdefg…"},
		{"https://abcdefghij.org/abcdefgh", "abcdefghij.org/abcdefgh"},
		{"https://abcdefghij.org/abcdefgh?a=1", "abcdefghij.org/abcdefg…"},
		{"https://kickstarter.com/projects/atelier/lumiere-une-lampe", "kickstarter.com/projec…"},
		// Characters, not bytes.
		{"https://café.example/é/è/à/ù/ç/ê/î/ô", "café.example/é/è/à/ù/ç…"},
	}
	for _, tt := range tests {
		got := xDisplayURL(tt.in)
		if got != tt.want {
			t.Errorf("xDisplayURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > xDisplayMax {
			t.Errorf("xDisplayURL(%q) is %d characters long", tt.in, n)
		}
	}
}

// TestXPreviewShortensLinks: X shows a link shortened; the preview does too,
// with the whole link in the href and the title, while Facebook shows it as
// written. The length count is unchanged (a link weighs 23 on X).
func TestXPreviewShortensLinks(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	fb := e.queue.add(content.Post{Network: "facebook", Kind: content.KindManual, State: content.StatePending,
		Text: "Voir https://example.org/p/lumiere?utm_source=facebook"})
	b := e.login("alice")
	doc := b.page("/")
	a := doc.Find("#post-" + x.ID + " .preview-x .text a.hl-link")
	const full = "https://example.org/p/lumiere?utm_source=x"
	if a.Text() != "example.org/p/lumiere…" || a.AttrOr("href", "") != full || a.AttrOr("title", "") != full {
		t.Errorf("X link shows %q, href %q, title %q", a.Text(), a.AttrOr("href", ""), a.AttrOr("title", ""))
	}
	if strings.Contains(doc.Find("#post-"+x.ID+" .preview .text").Text(), "utm_source") {
		t.Error("the X preview shows tracking parameters")
	}
	res, _ := text.Check("x", x.Text)
	if got := doc.Find("#post-" + x.ID + " .length").Text(); got != strconv.Itoa(res.WeightedLength)+"/280" {
		t.Errorf("length %q", got)
	}
	fa := doc.Find("#post-" + fb.ID + " .text a.hl-link")
	if fa.Text() != "https://example.org/p/lumiere?utm_source=facebook" || fa.AttrOr("title", "") != "" {
		t.Errorf("Facebook link shows %q (title %q)", fa.Text(), fa.AttrOr("title", ""))
	}
}
