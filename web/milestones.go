package web

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Number groups digits the way the interface's language does: "1,000" in
// English, "1 000" (no-break space) in French.
func (l locale) Number(n int64) string {
	tag, err := language.Parse(l.lang)
	if err != nil {
		tag = language.English
	}
	return message.NewPrinter(tag).Sprint(number.Decimal(n))
}

// plural picks the catalog key for a count: French treats 0 and 1 as
// singular, English only 1.
func (l locale) plural(n int64, one, many string) string {
	if n == 1 || (l.lang == "fr" && n == 0) {
		return one
	}
	return many
}

// MilestoneLabel says a milestone name ("percent:200", "ending:24h") the way
// a person reads it, in the interface's language. goals are the campaign's
// stretch goals, for naming "stretch:<i>" by its title; nil is fine. A name
// this code does not know (a newer tracker, a hand-made post) shows as is:
// the raw name is what auto-approve rules are written with, so the pages
// keep it next to the label anyway.
func (l locale) MilestoneLabel(raw string, goals []campaigns.StretchGoal) string {
	family, arg, _ := strings.Cut(raw, ":")
	switch family {
	case "launch":
		if arg == "" {
			return l.T("milestone.launch")
		}
	case "story":
		if arg == "" {
			return l.T("kind.story")
		}
	case "percent":
		if n, ok := positive(arg); ok {
			return l.T("milestone.percent", l.Number(n))
		}
	case "backers":
		if n, ok := positive(arg); ok {
			return l.T(l.plural(n, "milestone.backers_one", "milestone.backers"), l.Number(n))
		}
	case "stretch":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 {
			break
		}
		if i < len(goals) {
			if t := strings.TrimSpace(goals[i].Title); t != "" {
				return l.T("milestone.stretch_named", t)
			}
		}
		return l.T("milestone.stretch", i+1)
	case "ending":
		d, err := time.ParseDuration(arg)
		switch {
		case err != nil || d <= 0:
		case d%time.Hour == 0:
			h := int64(d / time.Hour)
			return l.T(l.plural(h, "milestone.ending_hours_one", "milestone.ending_hours"), h)
		case d%time.Minute == 0:
			m := int64(d / time.Minute)
			return l.T(l.plural(m, "milestone.ending_minutes_one", "milestone.ending_minutes"), m)
		}
	case "ended":
		if arg == string(campaigns.StateSuccessful) {
			return l.T("milestone.ended_successful")
		}
	}
	return raw
}

// positive parses a threshold: a whole number above zero.
func positive(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
