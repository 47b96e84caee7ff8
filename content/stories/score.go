package stories

import (
	"fmt"
	"slices"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Scoring, in points; a campaign needs at least one reason to be picked.
//
//   - momentum: what came in over the last 24 hours and the last 7 days, in
//     percent of the goal, the day counting double: 2×d24 + d7. A campaign
//     that raised 10 % of its goal today and 25 % this week scores 45. Below
//     minMomentum (30) it is the ordinary pace of a campaign that just makes
//     its goal in a month (3 % a day: 2×3 + 23 = 29), not a story.
//   - close to funded: 85–99 % funded scores 30 plus 2 per point above 85
//     (30 at 85 %, 58 at 99 %): a story can be the push that funds it.
//   - ending and behind: under 7 days left and under 60 % funded scores 40
//     plus half a point per point below 60: it needs the audience most.
//
// The reasons add up, so a campaign that is close and moving beats one that
// is only close.
const (
	minMomentum      = 30
	closeFrom        = 85
	closeTo          = 99
	closeBase        = 30
	endingWindow     = 7 * 24 * time.Hour
	behindBelow      = 60
	behindBase       = 40
	momentumDay      = 24 * time.Hour
	momentumWeek     = 7 * 24 * time.Hour
	reasonMomentum   = "momentum"
	reasonClose      = "close_to_goal"
	reasonEndingSoon = "ending_and_behind"
)

// Candidate is a campaign with its score and why.
type Candidate struct {
	Campaign campaigns.Campaign
	Score    int
	Reasons  []string
	// Momentum inputs, in percent of the goal.
	Gain24h, Gain7d int64
}

// score rates a live campaign at now from its pledge history (samples of
// the last week, any order).
func score(c campaigns.Campaign, history []campaigns.Sample, now time.Time) Candidate {
	cand := Candidate{Campaign: c}
	if c.State != campaigns.StateLive || c.Goal <= 0 || !c.Deadline.After(now) {
		return cand
	}
	pct := c.Percent()
	cand.Gain24h = gain(c, history, now.Add(-momentumDay))
	cand.Gain7d = gain(c, history, now.Add(-momentumWeek))
	if m := 2*cand.Gain24h + cand.Gain7d; m >= minMomentum {
		cand.Score += int(min(m, 1000))
		cand.Reasons = append(cand.Reasons, reasonMomentum)
	}
	if pct >= closeFrom && pct <= closeTo {
		cand.Score += closeBase + 2*int(pct-closeFrom)
		cand.Reasons = append(cand.Reasons, reasonClose)
	}
	if c.Deadline.Sub(now) < endingWindow && pct < behindBelow {
		cand.Score += behindBase + int(behindBelow-pct)/2
		cand.Reasons = append(cand.Reasons, reasonEndingSoon)
	}
	return cand
}

// gain is what was pledged since t, in percent of the goal. The baseline is
// the last sample at or before t, else the first one after (a campaign whose
// history starts later). Refunds do not make negative momentum.
func gain(c campaigns.Campaign, history []campaigns.Sample, t time.Time) int64 {
	if len(history) == 0 {
		return 0
	}
	h := slices.SortedFunc(slices.Values(history), func(a, b campaigns.Sample) int { return a.At.Compare(b.At) })
	base := h[0]
	for _, s := range h {
		if s.At.After(t) {
			break
		}
		base = s
	}
	d := c.Pledged - base.Pledged
	if d <= 0 {
		return 0
	}
	return d * 100 / c.Goal
}

// String is for logs.
func (c Candidate) String() string {
	return fmt.Sprintf("%s score=%d reasons=%v", c.Campaign.ID, c.Score, c.Reasons)
}
