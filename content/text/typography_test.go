package text

import (
	"strings"
	"testing"
	"unicode"
)

func TestTypographyFrench(t *testing.T) {
	const nnbsp, nbsp = "\u202f", "\u00a0"
	tests := []struct{ in, want string }{
		// Punctuation that wraps alone without a no-break space.
		{"Bravo !", "Bravo" + nnbsp + "!"},
		{"Bravo!", "Bravo" + nnbsp + "!"},
		{"Bravo  !", "Bravo" + nnbsp + "!"},
		{"Vraiment ?", "Vraiment" + nnbsp + "?"},
		{"Quoi ?!", "Quoi" + nnbsp + "?!"},
		{"Ah ; bon", "Ah" + nnbsp + "; bon"},
		{"Objectif : 3 500 €", "Objectif" + nbsp + ": 3" + nbsp + "500" + nbsp + "€"},
		{"Objectif: 12500 €", "Objectif" + nbsp + ": 12" + nbsp + "500" + nbsp + "€"},
		{"« Le Jardin »", "«" + nbsp + "Le Jardin" + nbsp + "»"},
		{"«Le Jardin»", "«" + nbsp + "Le Jardin" + nbsp + "»"},
		{"50 %", "50" + nbsp + "%"},
		{"50%", "50" + nbsp + "%"},
		{"1 250,50 €", "1" + nbsp + "250,50" + nbsp + "€"},
		{"1 000 000 $US", "1" + nbsp + "000" + nbsp + "000" + nbsp + "$US"},
		{"1\u202f250\u00a0€", "1" + nbsp + "250" + nbsp + "€"},
		// The demo's title with a colon: its colon gets its space too.
		{"« Sons : La Fabrique »", "«" + nbsp + "Sons" + nbsp + ": La Fabrique" + nbsp + "»"},
		// What is not sentence punctuation.
		{"à 19:30", "à 19:30"},
		{"ratio 1:2", "ratio 1:2"},
		{"Yahoo!Games", "Yahoo!Games"},
		{"Smile :)", "Smile :)"},
		{"(!)", "(!)"},
		{"x\n!", "x\n!"},
		{"! au début", "! au début"},
		{"en 2026", "en 2026"},
		{"code 75011", "code 75011"},
		{"en 2026 500 €", "en 2026 500" + nbsp + "€"},
		{"Les 3 500 graines", "Les 3" + nbsp + "500 graines"},
		{"en 2026 500 graines", "en 2026 500 graines"},
		{"de 12 à 3000", "de 12 à 3000"},
		// URLs, mentions and hashtags are left alone; what follows them is not.
		{"https://fanfare.fr/p?x=1&y=2: voir", "https://fanfare.fr/p?x=1&y=2" + nbsp + ": voir"},
		{"Voir https://fanfare.fr/a:b !", "Voir https://fanfare.fr/a:b" + nnbsp + "!"},
		{"@atelier !", "@atelier" + nnbsp + "!"},
		{"#Lyon!", "#Lyon" + nnbsp + "!"},
		// Emoji are not touched.
		{"Bravo 🎉!", "Bravo 🎉" + nnbsp + "!"},
		// Marks are transparent, and the space stays outside the span.
		{"« " + Cut("Titre") + " » !", "«" + nbsp + Cut("Titre") + nbsp + "»" + nnbsp + "!"},
		{Cut("Titre") + "!", Cut("Titre") + nnbsp + "!"},
	}
	for _, tt := range tests {
		got := Typography("fr", tt.in)
		if got != tt.want {
			t.Errorf("Typography(fr, %q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Typography("fr", got); again != got {
			t.Errorf("Typography(fr) is not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
	for _, lang := range []string{"fr-CA", "fr_BE"} {
		if got := Typography(lang, "Bravo !"); got != "Bravo"+nnbsp+"!" {
			t.Errorf("Typography(%s) = %q", lang, got)
		}
	}
	for _, lang := range []string{"en", "", "de"} {
		if got := Typography(lang, "Bravo ! 50 %"); got != "Bravo ! 50 %" {
			t.Errorf("Typography(%s) changed %q", lang, got)
		}
	}
}

func FuzzTypography(f *testing.F) {
	for _, s := range []string{"Bravo ! « Titre » : 3 500 € (50 %) ?", "19:30 :) https://a.fr/?q=1 !", "@x ! #y ; $Z :", "« »", "!!!", "1234567 €"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Typography("fr", s)
		if again := Typography("fr", got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
		// It only ever adds or swaps spaces: without them, the text is the same.
		noSpace := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) || r == '\t' {
					return -1
				}
				return r
			}, s)
		}
		if noSpace(got) != noSpace(s) {
			t.Fatalf("changed more than spaces: %q → %q", s, got)
		}
		// URLs come out as they went in.
		for _, u := range ExtractURLs(s) {
			if !strings.Contains(got, u.URL) {
				t.Fatalf("URL %q lost in %q", u.URL, got)
			}
		}
	})
}
