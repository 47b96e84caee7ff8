package campaigns

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MilestoneKind is a milestone's family: the part of its name before ':'.
type MilestoneKind string

// The kinds of milestones the rules fire.
const (
	KindLaunch  MilestoneKind = "launch"
	KindPercent MilestoneKind = "percent"
	KindBackers MilestoneKind = "backers"
	KindStretch MilestoneKind = "stretch"
	KindEnding  MilestoneKind = "ending"
	KindEnded   MilestoneKind = "ended"
)

// MilestoneKinds lists the kinds in the order a campaign lives them (the
// dashboard sorts and filters by it).
var MilestoneKinds = []MilestoneKind{KindLaunch, KindPercent, KindBackers, KindStretch, KindEnding, KindEnded}

// ParsedMilestone is a milestone name taken apart: what the composer, the
// dashboard and the configuration checks read instead of cutting strings.
// Its String is the name the rules fire, so ParseMilestone(m).String() == m
// for every name the tracker writes.
type ParsedMilestone struct {
	Kind MilestoneKind
	// Value is the percentage (percent), the count (backers) or the goal's
	// 0-based index (stretch); zero for the other kinds.
	Value int64
	// Left is the time left before the deadline (ending); zero otherwise.
	Left time.Duration
}

// Name is the milestone's name, "percent:50".
func (p ParsedMilestone) Name() Milestone {
	switch p.Kind {
	case KindPercent:
		return PercentMilestone(p.Value)
	case KindBackers:
		return BackersMilestone(p.Value)
	case KindStretch:
		return StretchMilestone(int(p.Value))
	case KindEnding:
		return EndingMilestone(p.Left)
	case KindEnded:
		return MilestoneEndedSuccessful
	}
	return Milestone(p.Kind)
}

// String is the milestone's name, "percent:50".
func (p ParsedMilestone) String() string { return string(p.Name()) }

// Kind is the part of the name before ':' ("percent" for "percent:50"),
// without checking the rest: for filters that group by family.
func (m Milestone) Kind() MilestoneKind {
	k, _, _ := strings.Cut(string(m), ":")
	return MilestoneKind(k)
}

// Parse takes the name apart; see ParseMilestone.
func (m Milestone) Parse() (ParsedMilestone, error) { return ParseMilestone(string(m)) }

// ParseMilestone takes a milestone name apart: "launch", "percent:<n>" and
// "backers:<n>" (n > 0), "stretch:<i>" (i ≥ 0), "ending:<duration>" (> 0,
// written as the rules write it: "ending:24h", "ending:90m") and
// "ended:successful". Only the spelling the rules fire is accepted
// ("percent:050" and "ending:1440m" are not), so a name that parses is one a
// post can carry and a configuration key can match.
func ParseMilestone(s string) (ParsedMilestone, error) {
	kind, arg, hasArg := strings.Cut(s, ":")
	p := ParsedMilestone{Kind: MilestoneKind(kind)}
	bad := func(format string, args ...any) (ParsedMilestone, error) {
		return ParsedMilestone{}, fmt.Errorf("campaigns: milestone %q: %s", s, fmt.Sprintf(format, args...))
	}
	switch p.Kind {
	case KindLaunch:
		if hasArg {
			return bad("launch takes no argument")
		}
		return p, nil
	case KindPercent, KindBackers, KindStretch:
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 || (p.Kind != KindStretch && n == 0) {
			return bad("%q is not a valid number", arg)
		}
		p.Value = n
	case KindEnding:
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return bad("%q is not a time left such as 24h", arg)
		}
		p.Left = d
	case KindEnded:
		if arg != string(StateSuccessful) {
			return bad("only ended:successful is announced")
		}
		return p, nil
	default:
		return bad("unknown milestone family %q (want launch, percent, backers, stretch, ending or ended)", kind)
	}
	if name := p.String(); name != s {
		return bad("write it %s", name)
	}
	return p, nil
}
