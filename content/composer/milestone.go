package composer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Template families: one template file per family, network and language.
const (
	FamilyLaunch  = "launch"
	FamilyPercent = "percent"
	FamilyBackers = "backers"
	FamilyStretch = "stretch"
	FamilyEnding  = "ending"
	FamilyEnded   = "ended"
	FamilyStory   = "story"
)

// Families lists the families of milestones and stories; each needs a
// template file per network and language ("<lang>/<network>/<family>.tmpl").
var Families = []string{FamilyLaunch, FamilyPercent, FamilyBackers, FamilyStretch, FamilyEnding, FamilyEnded, FamilyStory}

// Template families of the posts that tell several milestones: a merged post
// (one campaign) and a digest (many campaigns).
const (
	FamilyMerged = "merged"
	FamilyDigest = "digest"
)

// templateFamilies are every template file's family.
var templateFamilies = append(slices.Clone(Families), FamilyMerged, FamilyDigest)

// DefaultFreshness is how long after it fires a milestone is still news, by
// family (or exact milestone, which wins): a post telling it must go out
// within that time, alone or in a digest, or not at all. Zero means "until
// the campaign's deadline" (ending:* posts say when it ends, so they stay
// true until then, and the next window supersedes them). Every milestone of
// a live campaign is stale at its deadline anyway; a thank-you
// (ended:successful) is judged from when it fired.
var DefaultFreshness = map[string]time.Duration{
	FamilyLaunch:  48 * time.Hour,
	FamilyPercent: 24 * time.Hour,
	FamilyBackers: 24 * time.Hour,
	FamilyStretch: 24 * time.Hour,
	FamilyEnding:  0,
	FamilyEnded:   48 * time.Hour,
}

// The default milestone thresholds (DESIGN.md "Milestones"). They give each
// milestone its rank within its family, which drives the variant rotation.
var (
	defaultPercents = []int64{25, 50, 75, 100, 150, 200, 300}
	defaultBackers  = []int64{10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000}
	defaultEnding   = []int64{24, 72} // hours, ascending
)

// DefaultPriority orders milestones when posting slots are scarce (lower goes
// first): the moments that expire soonest or matter most to backers lead, the
// routine progress steps trail. Keys are a milestone ("percent:100") or a
// family ("percent"); the exact milestone wins over its family, and "default"
// covers the rest.
var DefaultPriority = map[string]int{
	"ended:successful": 0,
	"ending:24h":       1,
	"percent:100":      2,
	"ending:72h":       3,
	FamilyLaunch:       4,
	FamilyStretch:      5,
	FamilyPercent:      6,
	FamilyBackers:      7,
	FamilyStory:        8,
	"default":          10,
}

// milestone is a parsed campaigns.Milestone.
type milestone struct {
	raw    string
	family string
	n      int64 // percent: 50; backers: 1000; stretch: index; ending: hours
	rank   int   // position within its family, for the variant rotation
}

// parseMilestone splits "percent:50" into its family and number. It accepts
// the milestones the tracker fires and "story".
func parseMilestone(m string) (milestone, error) {
	family, arg, _ := strings.Cut(m, ":")
	ms := milestone{raw: m, family: family}
	bad := func(format string, args ...any) (milestone, error) {
		return milestone{}, fmt.Errorf("composer: milestone %q: %s", m, fmt.Sprintf(format, args...))
	}
	switch family {
	case FamilyLaunch, FamilyStory:
		if arg != "" {
			return bad("%s takes no argument", family)
		}
	case FamilyPercent, FamilyBackers, FamilyStretch:
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 || (family != FamilyStretch && n == 0) {
			return bad("%q is not a valid number", arg)
		}
		ms.n = n
		switch family {
		case FamilyPercent:
			ms.rank = rankIn(defaultPercents, n)
		case FamilyBackers:
			ms.rank = rankIn(defaultBackers, n)
		default:
			ms.rank = int(n % 1_000_000)
		}
	case FamilyEnding:
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 || d%time.Hour != 0 {
			return bad("%q is not a whole number of hours such as 24h", arg)
		}
		ms.n = int64(d / time.Hour)
		// Windows shrink as the deadline nears: the smaller one comes later.
		ms.rank = len(defaultEnding) - rankIn(defaultEnding, ms.n)
	case FamilyEnded:
		if arg != string(campaigns.StateSuccessful) {
			return bad("only ended:successful is announced")
		}
	default:
		return bad("unknown milestone family %q", family)
	}
	return ms, nil
}

// rankIn is n's index among the default thresholds; a custom threshold ranks
// after the defaults below it.
func rankIn(defaults []int64, n int64) int {
	i, _ := slices.BinarySearch(defaults, n)
	return i
}

// priority looks a milestone up in p: exact milestone, then family, then
// "default".
func priority(p map[string]int, ms milestone) int {
	if v, ok := p[ms.raw]; ok {
		return v
	}
	if v, ok := p[ms.family]; ok {
		return v
	}
	return p["default"]
}

// CheckFreshnessKey reports whether k may key Options.Freshness (and the
// approval.freshness configuration): a milestone family or a milestone.
func CheckFreshnessKey(k string) error {
	if slices.Contains(Families, k) && k != FamilyStory {
		return nil
	}
	ms, err := parseMilestone(k)
	if err != nil || ms.family == FamilyStory {
		return fmt.Errorf("composer: freshness key %q is not a milestone family (%s) or a milestone such as ending:24h",
			k, strings.Join(slices.DeleteFunc(slices.Clone(Families), func(f string) bool { return f == FamilyStory }), ", "))
	}
	return nil
}

// notAfter is when a post about the milestone stops being worth publishing:
// its freshness after it fired, and never past the deadline of the
// campaign it speaks of as live.
func notAfter(ms milestone, c campaigns.Campaign, fired time.Time, fresh map[string]time.Duration) time.Time {
	d, ok := fresh[ms.raw]
	if !ok {
		d = fresh[ms.family]
	}
	var limit time.Time
	if d > 0 {
		limit = fired.Add(d)
	}
	if ms.family == FamilyEnded || c.Deadline.IsZero() {
		return limit
	}
	if limit.IsZero() || c.Deadline.Before(limit) {
		return c.Deadline
	}
	return limit
}
