package composer

import (
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/text"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		lang, currency string
		amount         int64
		want           string
	}{
		{"fr", "EUR", 125_000, "1\u00a0250\u00a0€"},
		{"fr", "EUR", 125_050, "1\u00a0250,50\u00a0€"},
		{"fr", "EUR", 5, "0,05\u00a0€"},
		{"fr", "EUR", 0, "0\u00a0€"},
		{"fr", "EUR", 1_234_567_800, "12\u00a0345\u00a0678\u00a0€"},
		{"fr", "USD", 125_000, "1\u00a0250\u00a0$US"},
		{"fr", "JPY", 1250, "1\u00a0250\u00a0JPY"}, // CLDR: French writes the code for yen
		{"en", "EUR", 125_000, "€1,250"},
		{"en", "EUR", 125_050, "€1,250.50"},
		{"en", "USD", 99, "$0.99"},
		{"en", "JPY", 1250, "¥1,250"},
		{"en", "CHF", 125_000, "CHF\u00a01,250"},
		{"en", "GBP", -125_000, "-£1,250"},
		{"fr", "XYZ", 1250, "1\u00a0250\u00a0XYZ"},
		{"fr", "EUR", 750_050, "7\u00a0500,50\u00a0€"},
		{"en", "EUR", 100_000_000, "€1,000,000"},
		{"en", "USD", 5, "$0.05"},
		{"en", "EUR", -1234, "-€12.34"},
		{"en", "EUR", 123_450, "€1,234.50"},
		{"de", "EUR", 125_050, "1.250,50\u00a0€"},
		// ISO 4217 minor units, as the amounts are written (CLDR says 0 for
		// IDR and IQD): 1,500,000.00 rupiahs, 2,500.000 dinars, 7.500 KWD.
		{"en", "IDR", 150_000_000, "IDR\u00a01,500,000"},
		{"en", "IQD", 2_500_000, "IQD\u00a02,500"},
		{"en", "KWD", 7500, "KWD\u00a07.500"},
		{"en", "CLF", 12_345, "CLF\u00a01.2345"},
	}
	for _, tt := range tests {
		got := FormatMoney(tt.amount, tt.currency, tt.lang)
		if got != tt.want {
			t.Errorf("FormatMoney(%d, %s, %s) = %q, want %q", tt.amount, tt.currency, tt.lang, got, tt.want)
		}
	}
}

func TestNumberPercentPlural(t *testing.T) {
	fr, en := newLocale("fr"), newLocale("en")
	for _, tt := range []struct{ got, want string }{
		{fr.number(1000), "1\u00a0000"},
		{en.number(1000), "1,000"},
		{en.number(-5), "-5"},
		{fr.percent(50), "50\u00a0%"},
		{en.percent(150), "150%"},
		{fr.plural(0, "contributeur", "contributeurs"), "contributeur"},
		{fr.plural(2, "contributeur", "contributeurs"), "contributeurs"},
		{en.plural(0, "backer", "backers"), "backers"},
		{en.plural(1, "backer", "backers"), "backer"},
		{en.plural(2, "backer", "backers"), "backers"},
		{fr.plural(1, "jour", "jours"), "jour"},
		{fr.plural(1_000_000, "jour", "jours"), "jours"},
		{Plural("fr", 1, "jour restant", "jours restants"), "jour restant"},
		{Plural("fr", 2, "jour restant", "jours restants"), "jours restants"},
		{Plural("en", 0, "day left", "days left"), "days left"},
		{Plural("fr-CA", 0, "jour", "jours"), "jour"},
		{Plural("pl", 5, "dzień", "dni"), "dni"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	tests := []struct {
		d      time.Duration
		fr, en string
	}{
		{24 * time.Hour, "plus que 24 heures", "24 hours left"},
		{24*time.Hour - time.Minute, "plus que 24 heures", "24 hours left"},
		{72*time.Hour - 5*time.Minute, "plus que 3 jours", "3 days left"},
		{47 * time.Hour, "plus que 47 heures", "47 hours left"},
		{49 * time.Hour, "plus que 2 jours", "2 days left"},
		{30 * 24 * time.Hour, "plus que 30 jours", "30 days left"},
		{time.Hour, "plus qu'une heure", "1 hour left"},
		{61 * time.Minute, "plus que 2 heures", "2 hours left"},
		{30 * time.Minute, "moins d'une heure", "less than an hour left"},
		{0, "c'est terminé", "it's over"},
		{-time.Hour, "c'est terminé", "it's over"},
	}
	fr, en := newLocale("fr"), newLocale("en")
	for _, tt := range tests {
		if got := fr.timeLeft(tt.d); got != tt.fr {
			t.Errorf("fr timeLeft(%v) = %q, want %q", tt.d, got, tt.fr)
		}
		if got := en.timeLeft(tt.d); got != tt.en {
			t.Errorf("en timeLeft(%v) = %q, want %q", tt.d, got, tt.en)
		}
	}
	if got := newLocale("de").timeLeft(3 * time.Hour); got != "3 hours left" {
		t.Errorf("a language without wording must get English, got %q", got)
	}
}

func TestCredit(t *testing.T) {
	withHandle := campaigns.Creator{Name: "Atelier Lumen", XHandle: "@atelierlumen", FacebookPage: "atelierlumen"}
	noHandle := campaigns.Creator{Name: " Atelier Lumen "}
	for _, tt := range []struct {
		network string
		cr      campaigns.Creator
		want    string
	}{
		{"x", withHandle, "@atelierlumen"},
		{"x", campaigns.Creator{Name: "A", XHandle: "lumen"}, "@lumen"},
		{"x", noHandle, "Atelier Lumen"},
		{"facebook", withHandle, "Atelier Lumen"},
		{"facebook", noHandle, "Atelier Lumen"},
		// Only a configured handle that X could have issued is mentioned.
		{"x", campaigns.Creator{Name: "Lumen", XHandle: "atelier lumen"}, "Lumen"},
		{"x", campaigns.Creator{Name: "Lumen", XHandle: "@way_too_long_for_x"}, "Lumen"},
		{"x", campaigns.Creator{Name: "Lumen", XHandle: "@jack @elonmusk"}, "Lumen"},
		// A name is data: it mentions no one, on either network.
		{"x", campaigns.Creator{Name: "@jack @elonmusk"}, "@\u2060jack @\u2060elonmusk"},
		{"facebook", campaigns.Creator{Name: "#Team\n\u202eLumen"}, "#\u2060Team Lumen"},
		// Nothing to credit: no credit at all.
		{"x", campaigns.Creator{}, ""},
		{"facebook", campaigns.Creator{XHandle: "lumen"}, ""},
		{"x", campaigns.Creator{Name: " \u200f "}, ""},
	} {
		if got := credit(tt.network, tt.cr); got != tt.want {
			t.Errorf("credit(%s, %+v) = %q, want %q", tt.network, tt.cr, got, tt.want)
		}
	}
}

func TestHashtags(t *testing.T) {
	for _, tt := range []struct {
		tags []string
		want string
	}{
		{nil, ""},
		{[]string{"jeu de société", "Lyon"}, "#JeuDeSociété #Lyon"},
		{[]string{"board-games", "BoardGames", "2026", "c++", "#zero_waste"}, "#BoardGames #C #ZeroWaste"},
		{[]string{"a", "b", "c", "d"}, "#A #B #C"},
		{[]string{"!!!", "   ", "ok"}, "#Ok"},
		{[]string{"3d print"}, "#3dPrint"},
		{[]string{strings.Repeat("a", 31), "short"}, "#Short"},
	} {
		if got := text.StripMarks(hashtags(tt.tags)); got != tt.want {
			t.Errorf("hashtags(%q) = %q, want %q", tt.tags, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	desc := "Un jardin vertical pour les balcons. Chaque module accueille douze plantes. Montage en dix minutes."
	for _, tt := range []struct {
		s    string
		max  int
		want string
	}{
		{desc, 500, desc},
		{desc, 80, "Un jardin vertical pour les balcons. Chaque module accueille douze plantes."},
		{desc, 40, "Un jardin vertical pour les balcons."},
		{"Un   jardin\n\nvertical", 100, "Un jardin vertical"},
		{"Une phrase sans fin qui continue encore et encore", 20, "Une phrase sans fin…"},
		{"Anticonstitutionnellement", 10, "Anticonst…"},
		{"", 10, ""},
		{"abc", 0, ""},
	} {
		got := excerpt(tt.s, tt.max)
		if got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.max {
			t.Errorf("excerpt(%q, %d) has %d characters", tt.s, tt.max, n)
		}
	}
}

func TestTidy(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"  a  b\t c  ", "a b c"},
		{"a\n\n\n\nb", "a\n\nb"},
		{"\n\na\n \n", "a"},
		{"1\u00a0250\u00a0€  !", "1\u00a0250\u00a0€ !"},
		{"a\r\nb", "a\nb"},
	} {
		if got := tidy(tt.in); got != tt.want {
			t.Errorf("tidy(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkFormatMoney measures one amount as the dashboard and the CLI write
// it, twice per campaign row.
func BenchmarkFormatMoney(b *testing.B) {
	for b.Loop() {
		if FormatMoney(125_050, "EUR", "fr") == "" {
			b.Fatal("empty")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "amounts/s")
}
