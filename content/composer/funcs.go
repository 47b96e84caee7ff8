package composer

import (
	"fmt"
	"math"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// maxHashtags bounds the hashtags of a post: more reads as spam and costs
// reach on both networks.
const maxHashtags = 3

// maxHashtagRunes drops tags too long to be a hashtag anyone types.
const maxHashtagRunes = 30

// locale formats numbers the way a language writes them.
type locale struct {
	lang    string
	tag     language.Tag
	printer *message.Printer
	decimal string // the decimal separator
	// symbolFirst: "€1,250" (English) rather than "1 250 €" (French and
	// most of Europe).
	symbolFirst bool
}

// symbolFirstLangs write the currency symbol before the amount. The other
// languages put it after, separated by a no-break space.
var symbolFirstLangs = map[string]bool{"en": true, "nl": true, "ja": true, "zh": true, "ko": true, "pt": true}

func newLocale(lang string) *locale {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	p := message.NewPrinter(tag)
	dec := "."
	// x/text knows the separator but does not export it: read it off a
	// formatted 1.5.
	if s := p.Sprint(number.Decimal(1.5)); len(s) >= 3 && strings.HasPrefix(s, "1") && strings.HasSuffix(s, "5") {
		dec = s[1 : len(s)-1]
	}
	return &locale{lang: lang, tag: tag, printer: p, decimal: dec, symbolFirst: symbolFirstLangs[lang]}
}

// number groups the digits: "1 000" in French (no-break space), "1,000" in
// English.
func (l *locale) number(n int64) string {
	if n < 0 {
		return "-" + l.printer.Sprint(number.Decimal(uint64(-n)))
	}
	return l.printer.Sprint(number.Decimal(n))
}

// money formats an amount in minor units of an ISO 4217 currency: "1 250 €"
// in French (U+00A0 no-break spaces, as CLDR writes it), "€1,250" in English.
// Cents show only when there are some: "1 250,50 €".
func (l *locale) money(amount int64, code string) string {
	unit, err := currency.ParseISO(code)
	// Minor units follow ISO 4217, as the amounts do (CLDR's rounding says 0
	// for IDR, COP or IQD: a 100× error).
	scale, ok := campaigns.MinorUnits(code)
	if err != nil || !ok {
		// Validation rejects unknown currencies; an odd one still reads.
		return l.number(amount) + "\u00a0" + code
	}
	neg := amount < 0
	abs := uint64(amount)
	if neg {
		abs = uint64(-amount)
	}
	div := uint64(math.Pow10(scale))
	s := l.printer.Sprint(number.Decimal(abs / div))
	if frac := abs % div; frac != 0 {
		s += l.decimal + fmt.Sprintf("%0*d", scale, frac)
	}
	sym := l.printer.Sprint(currency.Symbol(unit))
	if l.symbolFirst {
		sep := ""
		if r, _ := utf8.DecodeLastRuneInString(sym); unicode.IsLetter(r) {
			sep = "\u00a0" // "CHF 1,250", not "CHF1,250"
		}
		s = sym + sep + s
	} else {
		s += "\u00a0" + sym
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Plural picks the word for a count n in lang by the CLDR plural rules:
// Plural("fr", 1, "jour", "jours") is "jour", and so is n = 0 in French;
// in English only 1 is singular. For every place that writes a count in
// words (the dashboard's "%d jours restants" among them).
func Plural(lang string, n int64, one, other string) string {
	return newLocale(lang).plural(n, one, other)
}

// FormatMoney writes an amount in minor units of an ISO 4217 currency the way
// lang writes money: "1 250 €" in French, "€1,250" in English, cents only when
// there are some ("€1,250.50"). It is what posts say, for every place that
// shows a campaign's money (dashboard, CLI).
func FormatMoney(amount int64, currency, lang string) string {
	return newLocale(lang).money(amount, currency)
}

// noCashtag keeps a currency symbol such as French "$US" or "$CA" from
// being a cashtag on X (a "$" before a letter links to a stock search): a
// word joiner, invisible, goes after the "$".
func noCashtag(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		b.WriteRune(r)
		if r == '$' {
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); unicode.IsLetter(next) {
				b.WriteRune(text.WordJoiner)
			}
		}
	}
	return b.String()
}

// percent writes "50 %" in French (no-break space) and "50%" in English.
func (l *locale) percent(n int64) string {
	if l.symbolFirst {
		return l.number(n) + "%"
	}
	return l.number(n) + "\u00a0%"
}

// plural picks the word for a count by the CLDR plural rules of the
// language (golang.org/x/text/feature/plural): French treats 0 and 1 as
// singular, English only 1. Templates give two forms; a language with more
// (Polish, Arabic) uses other for all but one.
func (l *locale) plural(n int64, one, other string) string {
	if n < 0 {
		n = -n
	}
	if n <= math.MaxInt32 && plural.Cardinal.MatchPlural(l.tag, int(n), 0, 0, 0, 0) == plural.One {
		return one
	}
	return other
}

// timeLeft says how long remains in words, with the plural the count needs.
// Under two days it counts hours, rounded up so that a "24 hours left"
// milestone fired a minute late still says 24; beyond, whole days.
// Languages without their own wording get English.
func (l *locale) timeLeft(d time.Duration) string {
	hours := int64(math.Ceil(d.Hours()))
	days := int64(math.Round(float64(hours) / 24))
	if l.lang == "fr" {
		switch {
		case d <= 0:
			return "c'est terminé"
		case d < time.Hour:
			return "moins d'une heure"
		case hours == 1:
			return "plus qu'une heure"
		case hours < 48:
			return "plus que " + l.number(hours) + " " + l.plural(hours, "heure", "heures")
		default:
			return "plus que " + l.number(days) + " " + l.plural(days, "jour", "jours")
		}
	}
	en := l
	if l.lang != "en" {
		en = englishLocale
	}
	switch {
	case d <= 0:
		return "it's over"
	case d < time.Hour:
		return "less than an hour left"
	case hours < 48:
		return en.number(hours) + " " + en.plural(hours, "hour", "hours") + " left"
	default:
		return en.number(days) + " " + en.plural(days, "day", "days") + " left"
	}
}

var englishLocale = newLocale("en")

// maxHandleLen is the longest X handle (letters, digits and _).
const maxHandleLen = 15

// xHandle returns the creator's configured X handle without its @, or ""
// when it is absent or not a handle X could have issued: only that handle
// may be mentioned, never something taken from free text.
func xHandle(h string) string {
	h = strings.TrimPrefix(strings.TrimSpace(h), "@")
	if h == "" || len(h) > maxHandleLen {
		return ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return ""
		}
	}
	return h
}

// credit names the creator the way the network can notify them: on X the
// configured handle (@handle) when it is a valid one, else the name; on
// Facebook the name. A real Page mention needs a page tag through the API,
// which the Graph /feed endpoint only takes from apps with Page Public
// Content Access: the plain name is what we can send. The name is a
// stranger's text, so it goes through text.Inert: "@jack" in it mentions no
// one. Without a handle or a name there is no credit: "".
func credit(network string, cr campaigns.Creator) string {
	if network == content.NetworkX {
		if h := xHandle(cr.XHandle); h != "" {
			return "@" + h
		}
	}
	return text.Inert(text.StripMarks(cr.Name))
}

// hashtags turns free-form tags into at most three hashtags: letters and
// digits only, words run together in CamelCase ("jeu de société" →
// "#JeuDeSociété"), duplicates and all-digit tags (which X does not link)
// dropped. Each is marked text.Hashtag: Fit drops them first.
func hashtags(tags []string) string {
	var marked []string
	for _, h := range hashtagList(tags) {
		marked = append(marked, text.Hashtag(h))
	}
	return strings.Join(marked, " ")
}

func hashtagList(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, tag := range tags {
		if len(out) == maxHashtags {
			break
		}
		var b strings.Builder
		upper, letters := true, false
		for _, r := range tag {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				upper = true
				continue
			}
			if unicode.IsLetter(r) {
				letters = true
			}
			if upper {
				r = unicode.ToUpper(r)
				upper = false
			}
			b.WriteRune(r)
		}
		h := b.String()
		key := strings.ToLower(h)
		if !letters || utf8.RuneCountInString(h) > maxHashtagRunes || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, "#"+h)
	}
	return out
}

// excerpt shortens s to at most max characters: whole sentences when at least
// one fits, else whole words and an ellipsis. Whitespace is collapsed.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := string(runes[:max])
	// The last sentence end that fits, if it keeps a fair share of the text.
	best := -1
	for i, r := range cut {
		if (r == '.' || r == '!' || r == '?' || r == '…') && (i+utf8.RuneLen(r) == len(cut) || cut[i+utf8.RuneLen(r)] == ' ') {
			best = i + utf8.RuneLen(r)
		}
	}
	if best > 0 && utf8.RuneCountInString(cut[:best]) >= max/3 {
		return cut[:best]
	}
	cut = string(runes[:max-1]) // room for the ellipsis
	if runes[max-1] != ' ' {    // the cut falls inside a word: drop it
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,;:-–—") + "…"
}

// capfirst upper-cases the first letter, for a helper's words that start a
// sentence: {{capfirst timeLeft}}. Marks before it are skipped.
func capfirst(s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			return s[:i] + string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
		}
		if text.StripMarks(string(r)) != "" {
			return s // starts with something else than a letter
		}
	}
	return s
}

// env is what the helpers of one rendering know: the campaign, the network,
// the language and when the milestone fired.
type env struct {
	loc       *locale
	network   string
	campaign  campaigns.Campaign
	milestone string
	at        time.Time
}

// funcs are the template helpers, bound to one rendering. Templates are
// parsed once with a placeholder env and cloned with the real one per post.
// What they write carries Fit's marks (see text.Keep): amounts and numbers
// are never cut inside, the credit and the link never dropped, hashtags
// dropped first, optional sentences next.
func (e *env) funcs() template.FuncMap {
	return template.FuncMap{
		"money":   func(amount int64) string { return text.Atom(noCashtag(e.loc.money(amount, e.campaign.Currency))) },
		"number":  func(n int64) string { return text.Atom(e.loc.number(n)) },
		"percent": func(n int64) string { return text.Atom(e.loc.percent(n)) },
		"count": func(n int64, one, other string) string {
			return text.Atom(e.loc.number(n)) + " " + e.loc.plural(n, one, other)
		},
		"timeLeft": func() string {
			return e.loc.timeLeft(e.campaign.Deadline.Sub(e.at))
		},
		"creator":  func() string { return text.Keep(credit(e.network, e.campaign.Creator)) },
		"mention":  func() string { return text.Keep(credit(e.network, e.campaign.Creator)) },
		"hashtags": func() string { return hashtags(e.campaign.Tags) },
		"link": func() (string, error) {
			l, err := TagURL(e.campaign.URL, e.network, e.campaign.ID, e.milestone)
			return text.Keep(l), err
		},
		"excerpt":     func(s string, max int) string { return text.Cut(excerpt(text.StripMarks(s), max)) },
		"plural":      e.loc.plural,
		"capfirst":    capfirst,
		"optional":    func() string { return text.OptionalStart },
		"endoptional": func() string { return text.OptionalEnd },
	}
}
