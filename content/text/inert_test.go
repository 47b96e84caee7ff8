package text

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/internal/twittertextjs"
)

func TestInert(t *testing.T) {
	const wj = "\u2060"
	tests := []struct{ in, want string }{
		{"Le Jardin Suspendu", "Le Jardin Suspendu"},
		{"  Le\nJardin\r\n\tSuspendu  ", "Le Jardin Suspendu"},
		{"Le Jardin\u2028Suspendu\u0085!", "Le Jardin Suspendu !"},
		{"evil\u202eeman\u202c \u2066x\u2069\u200f", "evileman x"},
		{"a\x00b\x1b[31mc\x7f", "ab[31mc"},
		{"x\ufeffy\ufffez\uffff", "xyz"},
		{"x" + string(cutOpen) + "y" + string(keepClose), "xy"},
		{"bad \xff utf-8", "bad utf-8"},
		{"@jack @elonmusk", "@" + wj + "jack @" + wj + "elonmusk"},
		{"＠jack ＃tag", "＠" + wj + "jack ＃" + wj + "tag"},
		{"#BoardGames", "#" + wj + "BoardGames"},
		{"$TSLA to the moon, $5 only", "$" + wj + "TSLA to the moon, $5 only"},
		{"Visit evil.com", "Visit evil." + wj + "com"},
		{"https://platform.example@phish.example", "https://platform.example@" + wj + "phish.example"},
		{"www.example.co.uk/x", "www." + wj + "example." + wj + "co." + wj + "uk/x"},
		{"👨\u200d👩\u200d👧 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "👨\u200d👩\u200d👧 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
		{"می\u200cخواهم", "می\u200cخواهم"}, // ZWNJ spells Persian
		{"Jardin\u00a0!", "Jardin\u00a0!"}, // a no-break space is kept
		{" \u200f ", ""},
	}
	for _, tt := range tests {
		got := Inert(tt.in)
		if got != tt.want {
			t.Errorf("Inert(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Inert(got); again != got {
			t.Errorf("Inert is not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
}

// TestInertTextNeitherMentionsNorLinks proves with the official
// twitter-text library that what Inert returns, set in a post between our
// own words, makes no mention, hashtag, cashtag or URL, whatever a stranger
// typed: generated hostile names and titles, 2,000 of them.
func TestInertTextNeitherMentionsNorLinks(t *testing.T) {
	parts := []string{"@jack", "@elonmusk", "@jack/list", "＠jack", ".@jack", "RT @jack:", "#tag", "#Lyon2026", "＃tag",
		"#️⃣", "$TSLA", "$tsla.x", "https://evil.example.com/x", "evil.com", "www.evil.co.uk/path?q=1", "http://例え.jp",
		"t.co/abc", "bit.ly/x", "platform.example@phish.com", "a.b.c.d.com", "@[12345]", "#\u200dtag", "@\u2060jack",
		"jack@example.com", "@" + strings.Repeat("x", 15), "\u202e@moc.live", "@\ufeffjack", "@\u0301jack",
		"Le Jardin", "Atelier", "🎉", "l'équipe", ":", "!", " ", "\n", "\u00a0"}
	rng := rand.New(rand.NewPCG(11, 11))
	var texts, inert []string
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(parts[rng.IntN(len(parts))])
			if rng.IntN(2) == 0 {
				b.WriteByte(' ')
			}
		}
		s := Inert(b.String())
		inert = append(inert, s)
		texts = append(texts, "Bravo « "+s+" » par "+s+" !")
	}
	res := twittertextjs.Parse(t, texts)
	found := 0
	for i, r := range res {
		if n := len(r.Mentions) + len(r.Hashtags) + len(r.Cashtags) + len(r.URLs); n > 0 {
			found++
			if found <= 20 {
				t.Errorf("%q makes entities: mentions %v hashtags %v cashtags %v urls %v",
					inert[i], r.Mentions, r.Hashtags, r.Cashtags, r.URLs)
			}
		}
	}
	t.Logf("Inert against twitter-text: %d hostile texts, %d with a mention, hashtag, cashtag or URL", len(texts), found)
	if found > 0 {
		t.Errorf("%d texts still act on X", found)
	}
}

// signRE finds an @ or # that is not followed by a word joiner, or a $
// before a letter that is not.
var signRE = regexp.MustCompile(`[@＠#＃][^\x{2060}]|[@＠#＃]$|[$＄]\pL`)

func FuzzInert(f *testing.F) {
	for _, s := range []string{"@jack @elonmusk", "Visit evil.com\n#tag", "\u202eevil\u202c $TSLA", "https://a.b@c.com", "x\ufdd6y\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Inert(s)
		if again := Inert(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
		if urls := ExtractURLs(got); len(urls) > 0 {
			t.Fatalf("Inert(%q) = %q still holds URLs %v", s, got, urls)
		}
		if m := signRE.FindString(got); m != "" {
			t.Fatalf("Inert(%q) = %q still holds %q", s, got, m)
		}
		for _, r := range got {
			if r == '\n' || r == '\r' || isMark(r) || isInvalidChar(r) || isDirectionalMark(r) || r < 0x20 {
				t.Fatalf("Inert(%q) = %q holds %U", s, got, r)
			}
		}
	})
}
