package campaigns

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Milestones that are not thresholds.
const (
	MilestoneLaunch          Milestone = "launch"
	MilestoneEndedSuccessful Milestone = "ended:successful"
)

// Default thresholds (DESIGN.md "Milestones").
var (
	DefaultPercent      = []int64{25, 50, 75, 100, 150, 200, 300}
	DefaultBackers      = []int64{10, 50, 100, 250, 500, 1000, 2500, 5000, 10000}
	DefaultEnding       = []time.Duration{72 * time.Hour, 24 * time.Hour}
	DefaultLaunchWindow = 48 * time.Hour
)

// Rules say which moments of a campaign are worth a post. A nil slice or a zero
// LaunchWindow takes the default; an empty non-nil slice turns the family off.
type Rules struct {
	Percent []int64         // funded percentages, e.g. 100 for "funded"
	Backers []int64         // backer counts
	Ending  []time.Duration // time left before the deadline
	// LaunchWindow is how recent a launch must be to be announced. A campaign
	// first seen at launch time is news; one first seen weeks after launch (a new
	// install importing the platform) is not, so its launch is recorded silently.
	LaunchWindow time.Duration
}

// DefaultRules returns the rules of DESIGN.md.
func DefaultRules() Rules {
	return Rules{
		Percent:      slices.Clone(DefaultPercent),
		Backers:      slices.Clone(DefaultBackers),
		Ending:       slices.Clone(DefaultEnding),
		LaunchWindow: DefaultLaunchWindow,
	}
}

func (r Rules) withDefaults() Rules {
	if r.Percent == nil {
		r.Percent = DefaultPercent
	}
	if r.Backers == nil {
		r.Backers = DefaultBackers
	}
	if r.Ending == nil {
		r.Ending = DefaultEnding
	}
	if r.LaunchWindow <= 0 {
		r.LaunchWindow = DefaultLaunchWindow
	}
	return r
}

// Evaluation is what one snapshot makes of a campaign's milestones: Post are
// announced, Record are marked as fired without a post (baseline on first
// sight, thresholds jumped over, moments reached by a campaign that has ended).
type Evaluation struct {
	Post   []Milestone
	Record []Milestone
}

// Empty reports whether nothing is to be recorded.
func (e Evaluation) Empty() bool { return len(e.Post) == 0 && len(e.Record) == 0 }

// PercentMilestone names the milestone of a funded percentage.
func PercentMilestone(n int64) Milestone { return Milestone("percent:" + strconv.FormatInt(n, 10)) }

// BackersMilestone names the milestone of a backer count.
func BackersMilestone(n int64) Milestone { return Milestone("backers:" + strconv.FormatInt(n, 10)) }

// StretchMilestone names the milestone of the i-th stretch goal (0-based, in
// the order of stretch_goals).
func StretchMilestone(i int) Milestone { return Milestone("stretch:" + strconv.Itoa(i)) }

// EndingMilestone names the milestone of time left, "ending:72h" or "ending:30m".
func EndingMilestone(d time.Duration) Milestone {
	switch {
	case d > 0 && d%time.Hour == 0:
		return Milestone("ending:" + strconv.FormatInt(int64(d/time.Hour), 10) + "h")
	case d > 0 && d%time.Minute == 0:
		return Milestone("ending:" + strconv.FormatInt(int64(d/time.Minute), 10) + "m")
	default:
		return Milestone("ending:" + d.String())
	}
}

// Evaluate decides which milestones next reaches that are not in fired.
//
// prev is the snapshot stored before next, nil when the campaign was never
// seen; only its presence matters, because thresholds are judged on next
// against the fired set (which is what makes a refund unable to re-fire one).
// First sight (prev nil, nothing fired) records everything already reached
// without posting, so a new install does not flood the accounts; the launch
// is the exception: a campaign launched within LaunchWindow is still news.
// Within one family (percent, backers, stretch, ending) only the highest newly
// reached milestone is posted; the ones jumped over are recorded. A campaign
// that has ended (its state, or its deadline passed) posts nothing but
// ended:successful.
func (r Rules) Evaluate(prev *Campaign, next Campaign, fired map[Milestone]bool, now time.Time) Evaluation {
	r = r.withDefaults()
	firstSight := prev == nil && len(fired) == 0
	deadlinePassed := !now.Before(next.Deadline)
	ended := next.State.Ended() || deadlinePassed
	post := !firstSight && !ended

	var ev Evaluation
	add := func(m Milestone, posted bool) {
		if fired[m] {
			return
		}
		if posted {
			ev.Post = append(ev.Post, m)
		} else {
			ev.Record = append(ev.Record, m)
		}
	}
	// family takes the newly reached milestones of one family, lowest first,
	// and posts only the last.
	family := func(reached []Milestone, posted bool) {
		reached = slices.DeleteFunc(reached, func(m Milestone) bool { return fired[m] })
		for i, m := range reached {
			add(m, posted && i == len(reached)-1)
		}
	}

	if !next.LaunchedAt.After(now) {
		add(MilestoneLaunch, !ended && now.Sub(next.LaunchedAt) < r.LaunchWindow)
	}

	var reached []Milestone
	for _, n := range sortedInts(r.Percent) {
		if next.Percent() >= n {
			reached = append(reached, PercentMilestone(n))
		}
	}
	family(reached, post)

	reached = nil
	for _, n := range sortedInts(r.Backers) {
		if next.Backers >= n {
			reached = append(reached, BackersMilestone(n))
		}
	}
	family(reached, post)

	reached = nil
	for _, i := range stretchOrder(next.StretchGoals) {
		if next.Pledged >= next.StretchGoals[i].Amount {
			reached = append(reached, StretchMilestone(i))
		}
	}
	family(reached, post)

	// Time left only means something while the campaign can still be backed.
	if next.State == StateLive && !deadlinePassed {
		reached = nil
		left := next.Deadline.Sub(now)
		windows := slices.Clone(r.Ending)
		slices.SortFunc(windows, func(a, b time.Duration) int { return cmp.Compare(b, a) })
		for _, d := range slices.Compact(windows) {
			if d > 0 && left <= d {
				reached = append(reached, EndingMilestone(d))
			}
		}
		family(reached, post)
	}

	successful := next.State == StateSuccessful ||
		(next.State == StateLive && deadlinePassed && next.Pledged >= next.Goal)
	if successful {
		add(MilestoneEndedSuccessful, !firstSight)
	}
	return ev
}

// sortedInts returns the positive thresholds in increasing order, without
// copying when they already are (the defaults, the usual config).
func sortedInts(s []int64) []int64 {
	ok := true
	for i, n := range s {
		if n <= 0 || i > 0 && s[i-1] >= n {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	s = slices.Compact(s)
	return slices.DeleteFunc(s, func(n int64) bool { return n <= 0 })
}

// stretchOrder lists stretch goal indexes by amount, so that "highest" means
// the biggest amount even when the platform sends them out of order.
func stretchOrder(goals []StretchGoal) []int {
	idx := make([]int, len(goals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(goals[a].Amount, goals[b].Amount) })
	return idx
}
