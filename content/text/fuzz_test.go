package text

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"",
	" ",
	"Bonjour à tous !",
	"e\u0301te\u0301",
	"👨\u200d👩\u200d👧\u200d👦 🇫🇷 👍🏽 #\ufe0f\u20e3 ©\ufe0f",
	"Voir https://fanfare.fr/projets/forêt?utm_source=x et t.co/abc.",
	"http://☃.net/ http://foobar.みんな/ example.comだよね",
	"\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069",
	"a.b.c.d.e.f.g.h.i.j.com",
	"(http://en.wikipedia.org/wiki/Primer_(film)) http://x.com/a?b=c#d!!",
	"hi\ufeff\xff",
	"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
}

func FuzzWeightedLength(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := V3.Parse(s)
		if p.WeightedLength < 0 {
			t.Fatalf("WeightedLength(%q) = %d", s, p.WeightedLength)
		}
		if WeightedLength(s) != p.WeightedLength {
			t.Fatalf("WeightedLength and Parse disagree on %q", s)
		}
		res, err := Check(NetworkX, s)
		if err != nil {
			t.Fatal(err)
		}
		if res.WeightedLength != p.WeightedLength || res.Valid != p.Valid || res.Max != XMaxWeighted {
			t.Fatalf("Check(%q) = %+v, Parse = %+v", s, res, p)
		}
		if res.Valid && (res.WeightedLength == 0 || res.WeightedLength > XMaxWeighted) {
			t.Fatalf("Check(%q) = %+v: valid outside 1..%d", s, res, XMaxWeighted)
		}
		// The emoji discount only ever lowers the count.
		if v2 := V2.WeightedLength(s); v2 < p.WeightedLength {
			t.Fatalf("V2 = %d < V3 = %d for %q", v2, p.WeightedLength, s)
		}
		last := 0
		for _, sp := range ExtractURLs(s) {
			if sp.Start < last || sp.End <= sp.Start || sp.End > len(s) || !spanHolds(s[sp.Start:sp.End], sp.URL) {
				t.Fatalf("ExtractURLs(%q): bad span %+v after %d", s, sp, last)
			}
			last = sp.End
		}
	})
}

func FuzzFit(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+3)%len(fuzzSeeds)], i%2 == 0)
	}
	f.Add(strings.Repeat("Félicitations à toute l'équipe ! ", 12), "@créa https://fanfare.fr/p/1 #bravo", true)
	f.Add(strings.Repeat("👨\u200d👩\u200d👧\u200d👦", 200), "", true)
	f.Add(strings.Repeat("e\u0301", 400), "#tag", true)
	f.Add("Bravo « "+Cut("Un titre très long "+strings.Repeat("encore ", 40))+" » par "+Keep("@créa")+Optional(" Déjà "+Atom("3 500 €")+"."),
		Keep("https://fanfare.fr/p/1")+" "+Hashtag("#bravo"), true)
	f.Add(string(cutOpen)+"titre sans fin "+string(optClose)+string(keepOpen), string(tagClose)+"#x", true)
	f.Fuzz(func(t *testing.T, body, tail string, x bool) {
		network := NetworkFacebook
		if x {
			network = NetworkX
		}
		if HasMarks(body) || HasMarks(tail) {
			// Marked texts: whatever Fit drops or cuts, the result is valid,
			// holds no mark, and keeps every Keep span.
			for _, lang := range []string{"", "fr"} {
				out, err := FitLang(network, lang, body, tail)
				if err != nil {
					msg := err.Error()
					if !errors.Is(err, ErrTooLong) && !strings.Contains(msg, "nothing to post") &&
						!strings.Contains(msg, "UTF-8") && !strings.Contains(msg, "refuses") {
						t.Fatalf("FitLang(%q, %q): unexpected error %v", body, tail, err)
					}
					continue
				}
				if HasMarks(out) {
					t.Fatalf("FitLang(%q, %q) = %q: marks reached the post", body, tail, out)
				}
				if res, _ := Check(network, out); !res.Valid {
					t.Fatalf("FitLang(%q, %q) = %q, which Check refuses", body, tail, out)
				}
			}
			return
		}
		out, err := Fit(network, body, tail)
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrTooLong) && !strings.Contains(msg, "nothing to post") &&
				!strings.Contains(msg, "UTF-8") && !strings.Contains(msg, "refuses") {
				t.Fatalf("Fit(%q, %q): unexpected error %v", body, tail, err)
			}
			return
		}
		res, err := Check(network, out)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Valid || res.WeightedLength > res.Max {
			t.Fatalf("Fit(%q, %q) = %q, which Check says is %+v", body, tail, out, res)
		}
		if isBlank(tail) {
			tail = ""
		}
		if isBlank(body) {
			body = ""
		}
		prefix := out
		if tail != "" {
			rest, ok := strings.CutSuffix(out, tail)
			if !ok {
				t.Fatalf("Fit(%q, %q) = %q: tail not preserved as a suffix", body, tail, out)
			}
			prefix = strings.TrimSuffix(rest, " ")
		}
		if prefix == body {
			return // not cut
		}
		cut, ok := strings.CutSuffix(prefix, Ellipsis)
		if prefix != "" && !ok {
			t.Fatalf("Fit(%q, %q) = %q: body changed without an ellipsis", body, tail, out)
		}
		if !strings.HasPrefix(body, cut) || !utf8.ValidString(cut) {
			t.Fatalf("Fit(%q, %q) = %q: %q is not a prefix of the body", body, tail, out, cut)
		}
		if !isGraphemeBound(body, len(cut)) {
			t.Fatalf("Fit(%q, %q) = %q: cut at byte %d splits a grapheme cluster", body, tail, out, len(cut))
		}
	})
}

func isGraphemeBound(s string, i int) bool {
	for _, b := range graphemeBounds(s) {
		if b == i {
			return true
		}
	}
	return false
}

// spanHolds reports whether a URL's span holds its text: the same text, or
// (twitter-text's quirk, see URLSpan) the host's last ASCII domain and what
// follows the host.
func spanHolds(span, url string) bool {
	if span == url {
		return true
	}
	i := strings.IndexAny(url, ":/")
	return i > 0 && strings.HasPrefix(span, url[:i]) && strings.HasSuffix(span, url[i:]) && len(span) > len(url)
}
