package text

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/internal/twittertextjs"
)

// differentialTexts is how many generated texts TestDifferentialTwitterText
// compares.
const differentialTexts = 10000

// Fragments the generator glues together: each pool is a kind of text that
// has made a weighted-length implementation go wrong somewhere.
var (
	wordFragments = []string{"Bravo", "merci", "hello", "world", "Fanfare", "a", "x", "l'équipe", "déjà",
		"3\u00a0500\u00a0€", "€1,250", "50\u00a0%", "1,000", "19:30", "!", "?", ":", ";", ",", ".", "…", "«", "»",
		"(", ")", "\"", "'", "-", "_", "/", "%", "&", "+", "~", "=", "*", "$", "@", "#", "＠", "＃"}
	spaceFragments = []string{" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u2000", "\u2003", "\u200a",
		"\u2028", "\u2029", "\u0085", "\u1680", "\u180e", "\u200b", "\u202f", "\u205f", "\u3000", "\u000b", "\u000c",
		"\u2060", "\u00ad"}
	urlFragments = []string{"https://example.com", "http://example.com/path?x=1&y=2#frag", "example.com",
		"www.example.co.uk/a/b", "fanfare.fr/p/42?utm_source=x", "t.co/abc123", "https://t.co/abcdefghij",
		"http://例え.jp", "https://bücher.de/büch", "xn--bcher-kva.de", "twitter.みんな", "http://foobar.پاکستان/",
		"http://☃.net/", "https://en.wikipedia.org/wiki/Primer_(film)", "http://a.b", "localhost:8080",
		"https://user:pass@host.com/x", "http://1.2.3.4/", "example.comword", "www.google.com?q=émoji",
		"https://" + strings.Repeat("a", 64) + ".com", "https://" + strings.Repeat("a", 63) + ".com",
		"ftp://example.com", "mailto:a@example.com", "a@example.com", "foo.bar", "foo.barbaz", "google.com.",
		"http://example.com/" + strings.Repeat("long/", 30), "https://ドメイン名例.jp", "http://xn--p1ai.xn--p1ai",
		"https://пример.рф/путь", "http://straße.de", "https://example.com/😀", "http://ex-ample.com",
		"http://-bad.com", "http://bad-.com", "http://under_score.example.com", "www.example.com:443/x",
		"https://example.com/path.", "https://example.com/path!!", "https://example.com/path)", "HTTPS://EXAMPLE.COM",
		"a@😀example.com", strings.Repeat("ü", 28) + ".de", strings.Repeat("ü", 40) + ".de", "xn--abc.com", "xn--例.com",
		"http://xn--bcher-kva.ch", "例え。jp", "a。b.com", "https://t.co/" + strings.Repeat("a", 41), "t.co/abc?x=1",
		"HTTP://T.CO/AbC", "http://a.com:80", "a.com:80", "a.com:80/x", "a.com?x", "@a.com", "$a.com", "#a.com", "_a.com",
		".a.com", "/a.com", "a_b.com", "a_b.c.com", "-a-.com", "ß.de", "ǅ.com", "ПРИМЕР.РФ", "münchen.DE",
		"example.co.みんな/x", "twitter.みんなtwitter.みんな", "a.b.c.d.e.f.g.h.i.j.k.com", "😀.com", "例え.テスト",
		"http://" + strings.Repeat("a", 4090) + ".com"}
	emojiFragments = []string{"😀", "👍", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "🇺🇸🇫🇷", "🇦", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
		"#\ufe0f\u20e3", "1\u20e3", "*\ufe0f\u20e3", "©", "©\ufe0f", "®\ufe0f", "™", "™\ufe0f", "‼\ufe0f", "❤", "❤\ufe0f", "❤\ufe0e",
		"☺", "☺\ufe0f", "🫠", "🩷", "🫱🏻\u200d🫲🏿", "🐦\u200d🔥", "🧑\u200d🧑\u200d🧒", "🏳\ufe0f\u200d🌈", "🏳\u200d🌈",
		"👩🏽\u200d💻", "🧔🏻\u200d♂\ufe0f", "🎉\u200d", "\u200d🎉", "🎉🏽", "⌚", "⏳", "🀄", "🅰", "🅰\ufe0f",
		"🏻", "\U0001F9D1\U0001F3FD\u200D\U0001F91D\u200D\U0001F9D1\U0001F3FB", "👁\u200d🗨", "🔟", "🈁", "㊗\ufe0f", "〽\ufe0f", "↔\ufe0f", "↔"}
	cjkFragments = []string{"中文", "日本語のテキスト", "한국어", "ｆｕｌｌｗｉｄｔｈ", "。", "、", "「引用」", "カタカナ", "𠀋", "𪚲",
		"\u1100\u1161\u11a8", "가"}
	markFragments = []string{"e\u0301", "a\u0300\u0316", "Z\u0351\u0352\u0353\u0354\u0355", "क्षि", "ผู้",
		"Ä", "A\u0308", "Å", "\u212b", "ﬁ", "ǅ", "ᄀ\u1161", "\u0301"}
	rtlFragments = []string{"שלום", "مرحبا", "\u202eevil\u202c", "\u200f", "\u200e", "\u061c", "\u2066x\u2069",
		"\u2067ש\u2069", "@שלום", "#مرحبا", "‏@jack", "ﷺ"}
	entityFragments = []string{"@jack", "@jack/list", "#tag", "#123", "#tag_1", "$TSLA", "$tsla", "@a_b",
		"@" + strings.Repeat("x", 21), "RT @jack:", "#\ufe0f\u20e3", "@jack@example.com"}
	rareFragments = []string{"\ufffe", "\uffff", "\ufeff", "\U0010FFFF", "\U000E0001", "\ufdd0", "\u0000",
		"\u001b[31m", "\u007f", "\u10ff", "\u1100", "\u1fff", "\u2000", "\u200d", "\u200e", "\u2010", "\u201f",
		"\u2020", "\u2031", "\u2032", "\u2037", "\u2038", "\U0001D400", "\ue000"}
)

// genText builds one text: a few fragments from the pools above, glued
// directly or with white space, sometimes repeated up to past X's limit, and
// sometimes nothing but white space.
func genText(rng *rand.Rand) string {
	pick := func(pool []string) string { return pool[rng.IntN(len(pool))] }
	if rng.IntN(20) == 0 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(pick(spaceFragments))
		}
		return b.String()
	}
	pools := [][]string{wordFragments, spaceFragments, urlFragments, emojiFragments, cjkFragments,
		markFragments, rtlFragments, entityFragments, rareFragments}
	weights := []int{30, 15, 14, 14, 8, 6, 5, 6, 2}
	total := 0
	for _, w := range weights {
		total += w
	}
	var b strings.Builder
	n := 1 + rng.IntN(14)
	for range n {
		k, r := 0, rng.IntN(total)
		for r >= weights[k] {
			r -= weights[k]
			k++
		}
		b.WriteString(pick(pools[k]))
		switch rng.IntN(3) {
		case 0: // glued to the next fragment
		case 1:
			b.WriteByte(' ')
		default:
			b.WriteString(pick(spaceFragments))
		}
	}
	s := b.String()
	if rng.IntN(6) == 0 {
		// Around the 280 limit: repeat until past it.
		for w := 0; utf8.RuneCountInString(s) < 150+rng.IntN(200) && w < 60; w++ {
			s += " " + b.String()
		}
	}
	return s
}

// TestDifferentialTwitterText compares our weighted length, validity and URL
// extraction with the official twitter-text library (npm twitter-text 3.1.0,
// the copy vendored for the dashboard) on generated hostile texts: white
// space of every kind, URLs glued to words, IDN hosts, emoji sequences old
// and new, CJK, combining marks, right-to-left text and the characters X
// refuses.
//
// One difference is deliberate: twitter-text calls a text of white space
// alone valid (it weighs more than 0), X does not post one, and neither do
// we. Our weighted length still agrees.
func TestDifferentialTwitterText(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 9))
	texts := make([]string, differentialTexts)
	for i := range texts {
		texts[i] = genText(rng)
	}
	want := twittertextjs.Parse(t, texts)

	var disagreements []string
	kinds := map[string]int{}
	for i, s := range texts {
		p := V3.Parse(s)
		res, err := Check(NetworkX, s)
		if err != nil {
			t.Fatal(err)
		}
		w := want[i]
		var why []string
		if p.WeightedLength != w.WeightedLength || res.WeightedLength != w.WeightedLength || WeightedLength(s) != w.WeightedLength {
			why = append(why, fmt.Sprintf("weighted length %d, twitter-text %d", p.WeightedLength, w.WeightedLength))
			kinds["weighted length"]++
		}
		wantValid := w.Valid && !isBlank(s)
		if res.Valid != wantValid {
			why = append(why, fmt.Sprintf("valid %v, twitter-text %v", res.Valid, w.Valid))
			kinds["valid"]++
		}
		var got []twittertextjs.Entity
		for _, u := range ExtractURLs(s) {
			got = append(got, twittertextjs.Entity{Text: u.URL, Start: u.Start, End: u.End})
		}
		if !slices.Equal(got, w.URLs) {
			why = append(why, fmt.Sprintf("URLs %v, twitter-text %v", got, w.URLs))
			kinds["urls"]++
		}
		if len(why) > 0 {
			disagreements = append(disagreements, fmt.Sprintf("%q: %s", s, strings.Join(why, "; ")))
		}
	}
	t.Logf("twitter-text differential: %d texts compared, %d disagreements %v", len(texts), len(disagreements), kinds)
	for i, d := range disagreements {
		if i == 40 {
			t.Errorf("… and %d more", len(disagreements)-i)
			break
		}
		t.Error(d)
	}
}
