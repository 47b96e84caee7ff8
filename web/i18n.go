package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/fanfarehq/fanfare/content/text"
)

// languages the interface speaks, the first being the default.
var uiLanguages = []language.Tag{language.English, language.French}

var langMatcher = language.NewMatcher(uiLanguages)

const langCookie = "fanfare_lang"

// locale translates catalog keys for one language.
type locale struct {
	lang string
	tag  language.Tag
	msgs map[string]string
}

// T returns the message for key, formatted with args when there are any. A
// missing key shows itself, loudly, rather than an empty string; a test
// keeps that from happening.
func (l locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		m, ok = catalog["en"][key]
	}
	if !ok {
		return "!" + key + "!"
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Net names a channel for people: the network's name, and the account's
// when the network has several ("X · platform_fr").
func (l locale) Net(channel string) string {
	name := l.T("net." + text.NetworkOf(channel))
	if a := text.AccountOf(channel); a != "" {
		name += " · " + a
	}
	return name
}

// pluralForms are the CLDR plural categories, by golang.org/x/text's Form.
var pluralForms = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// N returns the plural form of key for the count n, by the language's CLDR
// rules (French says "0 publication", English "0 posts"): the catalog holds
// "key|one", "key|other" (and "key|many"… where a language has them). The
// message's first argument is n formatted for the language; args follow.
func (l locale) N(key string, n int, args ...any) string {
	form := pluralForms[plural.Cardinal.MatchPlural(l.tag, abs(n), 0, 0, 0, 0)]
	k := key + "|" + form
	if _, ok := l.msgs[k]; !ok {
		k = key + "|other"
	}
	return l.T(k, append([]any{l.Number(int64(n))}, args...)...)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func newLocale(lang string) locale {
	if _, ok := catalog[lang]; !ok {
		lang = "en"
	}
	return locale{lang: lang, tag: language.Make(lang), msgs: catalog[lang]}
}

const localeKey ctxKey = 1

func localeFrom(ctx context.Context) locale {
	if l, ok := ctx.Value(localeKey).(locale); ok {
		return l
	}
	return newLocale("en")
}

// withLang picks the language: a ?lang= switch (remembered in a cookie), then
// the cookie, then Accept-Language.
func (s *Server) withLang(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if q := r.URL.Query().Get("lang"); q != "" {
			if _, ok := catalog[q]; ok {
				lang = q
				c := s.cookie(langCookie, q, 365*24*time.Hour)
				http.SetCookie(w, c)
			}
		}
		if lang == "" {
			lang = preferredLang(r)
		}
		next(w, r.WithContext(context.WithValue(r.Context(), localeKey, newLocale(lang))))
	})
}

// preferredLang is the language remembered in the cookie, else the best
// match for Accept-Language.
func preferredLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if _, ok := catalog[c.Value]; ok {
			return c.Value
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	return uiLanguages[i].String()
}
