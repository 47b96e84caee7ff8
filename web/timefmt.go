package web

import (
	"encoding/json"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dates and times as people of each language write them, in the platform's
// time zone: "sam. 5 déc. à 19 h 47" in French, "Sat 5 Dec at 19:47" in
// English; relative times ("dans 12 min", "3 h ago") with the exact time on
// hover. The words come from the catalog.

// clock is a time of day: "19 h 47" in French prose, "19:47" in English.
func (l locale) clock(t time.Time) string {
	if l.lang == "fr" {
		return strconv.Itoa(t.Hour()) + "\u00a0h\u00a0" + twoDigits(t.Minute())
	}
	return twoDigits(t.Hour()) + ":" + twoDigits(t.Minute())
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// date is a day, "sam. 5 déc." / "Sat 5 Dec", with the year when it is not
// the year of ref.
func (l locale) date(t, ref time.Time) string {
	s := l.T("day."+strconv.Itoa(int(t.Weekday()))) + "\u00a0" + strconv.Itoa(t.Day()) + "\u00a0" + l.T("month."+strconv.Itoa(int(t.Month())))
	if t.Year() != ref.Year() {
		s += "\u00a0" + strconv.Itoa(t.Year())
	}
	return s
}

// dateTime is "sam. 5 déc. à 19 h 47" / "Sat 5 Dec at 19:47".
func (l locale) dateTime(t, ref time.Time) string {
	return l.T("time.date_at", l.date(t, ref), l.clock(t))
}

// fullDateTime always has the year and names the zone, for hover titles.
func (l locale) fullDateTime(t time.Time) string {
	d := l.T("day."+strconv.Itoa(int(t.Weekday()))) + "\u00a0" + strconv.Itoa(t.Day()) + "\u00a0" +
		l.T("month."+strconv.Itoa(int(t.Month()))) + "\u00a0" + strconv.Itoa(t.Year())
	return l.T("time.date_at", d, l.clock(t)) + " (" + t.Location().String() + ")"
}

// relative says how far t is from now: "à l'instant", "dans 12 min",
// "il y a 3 h", "dans 2 jours"; a week or more away, the date itself.
func (l locale) relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	a := d.Abs()
	pick := func(key string, n int) string {
		if future {
			return l.N("rel.in_"+key, n)
		}
		return l.N("rel.ago_"+key, n)
	}
	switch {
	case a < 45*time.Second:
		return l.T("rel.now")
	case a < 59*time.Minute+30*time.Second:
		return pick("min", max(1, int(math.Round(a.Minutes()))))
	case a < 23*time.Hour+30*time.Minute:
		return pick("hour", int(math.Round(a.Hours())))
	case a < 7*24*time.Hour:
		return pick("day", int(math.Round(a.Hours()/24)))
	}
	return l.T("rel.on_date", l.date(t, now))
}

// relWords are the messages relative times are written with ("rel.*", in
// the locale's language, English where it has none), as JSON for app.js:
// it says them again as time passes, with relative's thresholds, so that a
// queue left open all afternoon does not say "in 3 h" of a post gone out.
// The catalog never changes: each language's JSON is made once.
func (l locale) relWords() string { return relWordsByLang()[l.lang] }

var relWordsByLang = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for lang, msgs := range catalog {
		words := map[string]string{}
		for _, m := range []map[string]string{catalog["en"], msgs} {
			for k, v := range m {
				if strings.HasPrefix(k, "rel.") && k != "rel.on_date" {
					words[k] = v
				}
			}
		}
		b, _ := json.Marshal(words) // strings only: cannot fail
		out[lang] = string(b)
	}
	return out
})

// duration is a rule's length: "20 min", "2 h", "1 h 30", "3 jours".
func (l locale) duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.T("dur.sec", int(d.Seconds()))
	case d < time.Hour:
		return l.T("dur.min", int(d.Minutes()))
	case d%(24*time.Hour) == 0:
		return l.N("dur.day", int(d/(24*time.Hour)))
	case d%time.Hour == 0:
		return l.T("dur.hour", int(d.Hours()))
	}
	return l.T("dur.hour_min", int(d.Hours()), twoDigits(int(d.Minutes())%60))
}

// timeTag is <time> with the relative time shown and the exact time in the
// title and the datetime attribute; data-rel lets app.js keep the relative
// time true while the page stays open (relWords).
func (l locale) timeTag(t, now time.Time, loc *time.Location) template.HTML {
	if t.IsZero() {
		return "—"
	}
	lt := t.In(loc)
	var b strings.Builder
	b.WriteString(`<time data-rel datetime="`)
	b.WriteString(t.UTC().Format(time.RFC3339))
	b.WriteString(`" title="`)
	b.WriteString(html.EscapeString(l.fullDateTime(lt)))
	b.WriteString(`">`)
	b.WriteString(html.EscapeString(l.relative(t, now)))
	b.WriteString(`</time>`)
	// Only our own formatting, escaped, goes in: safe to mark as HTML.
	return template.HTML(b.String())
}

// exactTag is <time> showing the date and time, for tables and facts.
func (l locale) exactTag(t, now time.Time, loc *time.Location) template.HTML {
	if t.IsZero() {
		return "—"
	}
	lt := t.In(loc)
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" title="` +
		html.EscapeString(l.fullDateTime(lt)+" · "+l.relative(t, now)) + `">` + html.EscapeString(l.dateTime(lt, now.In(loc))) + `</time>`)
}

// elapsed is how long something has lasted, rounded for reading: "12 min",
// "3 h", "2 jours".
func (l locale) elapsed(d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.T("dur.min", 1)
	case d < time.Hour:
		return l.T("dur.min", int(d.Minutes()))
	case d < 48*time.Hour:
		return l.T("dur.hour", int(math.Round(d.Hours())))
	}
	return l.N("dur.day", int(d.Hours()/24))
}

// sinceTag says how long ago t began ("depuis 3 h"), the exact time on hover.
func (l locale) sinceTag(t, now time.Time, loc *time.Location) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" title="` + html.EscapeString(l.fullDateTime(t.In(loc))) + `">` +
		html.EscapeString(l.T("time.since", l.elapsed(now.Sub(t)))) + `</time>`)
}
