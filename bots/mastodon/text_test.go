package mastodon

import (
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/bots/mastodon/mastodonfake"
)

func TestLength(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"hello", 5},
		{"https://fanfare.example/c/42?utm_source=mastodon&utm_campaign=fanfare", 23},
		{"see https://a.example/x.", 4 + 23 + 1},
		{"see fanfare.example/c/42", 24}, // no scheme: counted as typed
		{"merci @alice@mastodon.social !", len("merci @alice !")},
		{"merci @alice !", len("merci @alice !")},
		{"mail bob@example.com", 20}, // an address, not a mention
		{"👨‍👩‍👧‍👦 famille", 1 + 8},   // one grapheme
		{"é", 1}, // e + combining accent
		{"日本語", 3},
	}
	for _, tt := range tests {
		if got := Length(tt.text, 23); got != tt.want {
			t.Errorf("Length(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	long := strings.Repeat("a", 476) + " https://fanfare.example/" + strings.Repeat("x", 200)
	if c := CheckText(long, Limits{}); c.Length != 500 || !c.Valid || c.Max != 500 {
		t.Errorf("500 with a URL: %+v", c)
	}
	if c := CheckText(long+"!", Limits{}); c.Valid {
		t.Errorf("501 accepted: %+v", c)
	}
	if c := CheckText(long+"!", Limits{MaxCharacters: 1000}); !c.Valid || c.Max != 1000 {
		t.Errorf("raised limit: %+v", c)
	}
	if c := CheckText("  \n", Limits{}); c.Valid {
		t.Error("blank text accepted")
	}
}

func TestPlainTextRoundTrip(t *testing.T) {
	for _, text := range []string{
		"Tom & Jerry's <film>",
		"ligne 1\nligne 2\n\nparagraphe https://fanfare.example/c/42?utm_source=mastodon&utm_campaign=fanfare fin",
		"court https://a.example/b",
	} {
		if got := PlainText(mastodonfake.Render(text)); got != text {
			t.Errorf("PlainText(Render(%q)) = %q", text, got)
		}
	}
	real := `<p>Financé ! <a href="https://fanfare.example/c/1" rel="nofollow noopener" translate="no" target="_blank"><span class="invisible">https://</span><span class="">fanfare.example/c/1</span><span class="invisible"></span></a> <a href="https://m.example/tags/bd" class="mention hashtag" rel="tag">#<span>bd</span></a></p>`
	if got := PlainText(real); got != "Financé ! https://fanfare.example/c/1 #bd" {
		t.Errorf("PlainText = %q", got)
	}
}
