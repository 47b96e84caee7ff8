package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// frenchPost is a typical milestone post: accents, an emoji, a mention, a link
// and hashtags, 250 characters.
const frenchPost = "🎉 Objectif atteint ! « La Forêt des Lucioles » vient de dépasser 100 % : " +
	"merci aux 1 024 contributeurs et contributrices qui ont cru à ce jeu de société " +
	"dès le premier jour. " +
	"@atelier_luciole https://fanfare.fr/p/foret-des-lucioles?utm_source=x #jeu"

func BenchmarkWeightedLength(b *testing.B) {
	if n := utf8.RuneCountInString(frenchPost); n < 240 || n > 260 {
		b.Fatalf("frenchPost has %d characters, want about 250", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		WeightedLength(frenchPost)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkFit(b *testing.B) {
	body := strings.Repeat("Félicitations à toute l'équipe et merci aux contributeurs ! ", 8)
	tail := "@atelier_luciole https://fanfare.fr/p/foret-des-lucioles?utm_source=x #jeu"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(NetworkX, body, tail); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fits/s")
}

// BenchmarkExtractURLsDottedWords guards the linear-time URL scan: 10 kB of
// "a.a.a…" took seconds before hosts were memoised per offset.
func BenchmarkExtractURLsDottedWords(b *testing.B) {
	s := strings.Repeat("a.", 5000) + "com"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ExtractURLs(s)
	}
}
