package web

import (
	"cmp"
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
	if raw == "story" {
		return l.T("kind.story")
	}
	m, err := campaigns.ParseMilestone(raw)
	if err != nil {
		return raw
	}
	switch m.Kind {
	case campaigns.KindLaunch:
		return l.T("milestone.launch")
	case campaigns.KindPercent:
		return l.T("milestone.percent", l.Percent(m.Value))
	case campaigns.KindBackers:
		if m.Value <= 1<<31 {
			return l.N("milestone.backers", int(m.Value))
		}
	case campaigns.KindStretch:
		if m.Value < int64(len(goals)) {
			if t := strings.TrimSpace(goals[m.Value].Title); t != "" {
				return l.T("milestone.stretch_named", t)
			}
		}
		if m.Value < 1<<31 {
			return l.T("milestone.stretch", int(m.Value)+1)
		}
	case campaigns.KindEnding:
		switch {
		case m.Left%time.Hour == 0:
			return l.N("milestone.ending_hours", int(m.Left/time.Hour))
		case m.Left%time.Minute == 0:
			return l.N("milestone.ending_minutes", int(m.Left/time.Minute))
		}
	case campaigns.KindEnded:
		return l.T("milestone.ended_successful")
	}
	return raw
}

// milestoneFamilies are the families in the order a campaign lives them,
// for sorting and for the queue's filter.
var milestoneFamilies = func() []string {
	var f []string
	for _, k := range campaigns.MilestoneKinds {
		f = append(f, string(k))
	}
	return f
}()

// milestoneFamily is the part of a milestone before ':'.
func milestoneFamily(m string) string { return string(campaigns.Milestone(m).Kind()) }

// compareMilestones orders milestones as a campaign lives them: by family,
// then by their number (percent:50 before percent:100, not as text), with
// ending:72h before ending:24h. Names that do not parse sort by text after
// their family's.
func compareMilestones(a, b string) int {
	fa, fb := milestoneFamily(a), milestoneFamily(b)
	ia, ib := familyRank(fa), familyRank(fb)
	if ia != ib {
		return cmp.Compare(ia, ib)
	}
	if fa != fb {
		return cmp.Compare(fa, fb)
	}
	pa, ea := campaigns.ParseMilestone(a)
	pb, eb := campaigns.ParseMilestone(b)
	switch {
	case ea == nil && eb == nil:
		if c := cmp.Compare(pb.Left, pa.Left); c != 0 { // more time left comes first
			return c
		}
		return cmp.Compare(pa.Value, pb.Value)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return cmp.Compare(a, b)
}

func familyRank(f string) int {
	for i, g := range milestoneFamilies {
		if g == f {
			return i
		}
	}
	return len(milestoneFamilies)
}
