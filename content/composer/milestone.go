package composer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Template families: one template file per family, network and language.
// A milestone's family is its kind (campaigns.MilestoneKind).
const (
	FamilyLaunch  = string(campaigns.KindLaunch)
	FamilyPercent = string(campaigns.KindPercent)
	FamilyBackers = string(campaigns.KindBackers)
	FamilyStretch = string(campaigns.KindStretch)
	FamilyEnding  = string(campaigns.KindEnding)
	FamilyEnded   = string(campaigns.KindEnded)
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

// The default milestone thresholds are the rules' (campaigns.DefaultRules):
// they give each milestone its rank within its family, which drives the
// variant rotation.
var defaultEnding = endingHours(campaigns.DefaultEnding) // hours, ascending

// endingHours are windows in whole hours, ascending.
func endingHours(ds []time.Duration) []int64 {
	var h []int64
	for _, d := range ds {
		h = append(h, int64(d/time.Hour))
	}
	slices.Sort(h)
	return h
}

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

// parseMilestone reads a milestone the tracker fires (campaigns.ParseMilestone)
// or "story", and ranks it within its family.
func parseMilestone(m string) (milestone, error) {
	if m == FamilyStory {
		return milestone{raw: m, family: FamilyStory}, nil
	}
	p, err := campaigns.ParseMilestone(m)
	if err != nil {
		return milestone{}, fmt.Errorf("composer: %w", err)
	}
	ms := milestone{raw: m, family: string(p.Kind), n: p.Value}
	switch p.Kind {
	case campaigns.KindPercent:
		ms.rank = rankIn(campaigns.DefaultPercent, p.Value)
	case campaigns.KindBackers:
		ms.rank = rankIn(campaigns.DefaultBackers, p.Value)
	case campaigns.KindStretch:
		ms.rank = int(p.Value % 1_000_000)
	case campaigns.KindEnding:
		// Templates tell the time left in hours.
		if p.Left%time.Hour != 0 {
			return milestone{}, fmt.Errorf("composer: milestone %q: %s is not a whole number of hours such as 24h", m, p.Left)
		}
		ms.n = int64(p.Left / time.Hour)
		// Windows shrink as the deadline nears: the smaller one comes later.
		ms.rank = len(defaultEnding) - rankIn(defaultEnding, ms.n)
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
