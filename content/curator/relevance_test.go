package curator

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestKeywordMatcher(t *testing.T) {
	tests := []struct {
		keywords []string
		text     string
		want     bool
	}{
		{[]string{"art"}, "Street ART in Lyon", true},
		{[]string{"art"}, "Party in Lyon", false},
		{[]string{"art"}, "l'art de vivre", true},
		{[]string{"éco-conception"}, "L'ECO CONCEPTION avance", true},
		{[]string{"eco conception"}, "Éco-conçeption", true}, // the cedilla is a mark too
		{[]string{"coeur"}, "cœur", false},                   // a ligature is a letter, not a mark
		{[]string{"eco concu"}, "un produit éco-conçu", true},
		{[]string{"crowdfunding"}, "Crowd-funding", false},
		{[]string{"jeux de société"}, "Les JEUX  DE\nSOCIETE", true},
		{[]string{"société"}, "Jeux de soci", false},
		{[]string{"straße"}, "STRASSE", true}, // full case folding
		{[]string{"Москва"}, "Привет мир! Ёжик, чай, москва.", true},
		{[]string{"2026"}, "Salon 2026", true},
		{[]string{"*"}, "anything", true},
		{nil, "anything", false},
	}
	for _, tt := range tests {
		if got := newKeywordMatcher(tt.keywords).match(tt.text); got != tt.want {
			t.Errorf("%q in %q = %v; want %v", tt.keywords, tt.text, got, tt.want)
		}
	}
}

func TestTextAndLinks(t *testing.T) {
	base, _ := url.Parse("https://blog.example/posts/1")
	text, links := textAndLinks(`<p>Voir <a href="/p/2">ici</a>, <a href='https://c.example/x'>là</a>, `+
		`<a href="mailto:a@b.c">mail</a>, <a href="javascript:alert(1)">js</a> &amp; <img src="/i.png"></p>`, base)
	if strings.Join(strings.Fields(text), " ") != "Voir ici, là, mail, js &" {
		t.Errorf("text = %q", text)
	}
	want := []string{"https://blog.example/p/2", "https://c.example/x"}
	if !slices.Equal(links, want) {
		t.Errorf("links = %v; want %v", links, want)
	}
	if text, _ := textAndLinks("Ca<b>f</b>é<br>au<li>lait</li>", base); text != "Café au lait " {
		t.Errorf("inline tags split a word, or block tags joined two: %q", text)
	}
	if text, links := textAndLinks("plain text", base); text != "plain text" || links != nil {
		t.Errorf("plain = %q %v", text, links)
	}
}

func TestCuratedText(t *testing.T) {
	tests := []struct{ lang, source, title, want string }{
		{"fr", "Le Monde", "Un titre", "À lire sur Le Monde\u00a0: Un titre"},
		{"en", "The Verge", "A title", "Worth a read on The Verge: A title"},
		{"de", "Golem", "Titel", "Worth a read on Golem: Titel"},
		{"fr", "Blog", "", "À lire sur Blog"},
	}
	for _, tt := range tests {
		if got := curatedText(tt.lang, tt.source, tt.title); got != tt.want {
			t.Errorf("curatedText(%q, %q, %q) = %q; want %q", tt.lang, tt.source, tt.title, got, tt.want)
		}
	}
	if primaryLang("fr-CA") != "fr" || primaryLang("EN_gb") != "en" {
		t.Error("primaryLang")
	}
}
