package web

import (
	"cmp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/fanfarehq/fanfare/campaigns"
)

var printers sync.Map // language tag string → *message.Printer

// Number groups digits the way the interface's language does: "1,000" in
// English, "1 000" (narrow no-break space) in French.
func (l locale) Number(n int64) string {
	p, ok := printers.Load(l.lang)
	if !ok {
		p, _ = printers.LoadOrStore(l.lang, message.NewPrinter(l.tag))
	}
	return p.(*message.Printer).Sprint(number.Decimal(n))
}

// Percent is a whole percentage: "25 %" in French (narrow no-break space
// before the sign), "25%" in English.
func (l locale) Percent(n int64) string { return l.T("num.percent", l.Number(n)) }

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
			return l.T("milestone.percent", l.Percent(n))
		}
	case "backers":
		if n, ok := positive(arg); ok && n <= 1<<31 {
			return l.N("milestone.backers", int(n))
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
			return l.N("milestone.ending_hours", int(d/time.Hour))
		case d%time.Minute == 0:
			return l.N("milestone.ending_minutes", int(d/time.Minute))
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

// milestoneFamilies are the families in the order a campaign lives them,
// for sorting and for the queue's filter.
var milestoneFamilies = []string{"launch", "percent", "backers", "stretch", "ending", "ended"}

// milestoneFamily is the part of a milestone before ':'.
func milestoneFamily(m string) string {
	f, _, _ := strings.Cut(m, ":")
	return f
}

// compareMilestones orders milestones as a campaign lives them: by family,
// then by their number (percent:50 before percent:100, not as text), with
// ending:72h before ending:24h.
func compareMilestones(a, b string) int {
	fa, aa, _ := strings.Cut(a, ":")
	fb, ab, _ := strings.Cut(b, ":")
	ia, ib := familyRank(fa), familyRank(fb)
	if ia != ib {
		return cmp.Compare(ia, ib)
	}
	if fa != fb {
		return cmp.Compare(fa, fb)
	}
	if fa == "ending" {
		da, ea := time.ParseDuration(aa)
		db, eb := time.ParseDuration(ab)
		if ea == nil && eb == nil {
			return cmp.Compare(db, da) // more time left comes first
		}
	}
	na, ea := strconv.ParseFloat(aa, 64)
	nb, eb := strconv.ParseFloat(ab, 64)
	if ea == nil && eb == nil {
		return cmp.Compare(na, nb)
	}
	return cmp.Compare(aa, ab)
}

func familyRank(f string) int {
	for i, g := range milestoneFamilies {
		if g == f {
			return i
		}
	}
	return len(milestoneFamilies)
}
