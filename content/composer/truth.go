package composer

import (
	"fmt"

	"github.com/fanfarehq/fanfare/campaigns"
)

// StillTrue reports whether a post about milestone m may still go out given
// the campaign's newest snapshot, and why not: a refund took it back under
// the threshold (50 % funded, 1,000 backers, a stretch goal), or the campaign
// was canceled or failed, which makes every waiting post about it wrong. A
// threshold the campaign fell under is never fired again (DESIGN.md
// "Milestones"), so its waiting post is withdrawn rather than kept for later.
func StillTrue(m string, c campaigns.Campaign) (why string, ok bool) {
	if c.State == campaigns.StateCanceled || c.State == campaigns.StateFailed {
		return fmt.Sprintf("the campaign %s", c.State), false
	}
	ms, err := parseMilestone(m)
	if err != nil {
		return "", true // not ours to judge (a post written by hand)
	}
	switch ms.family {
	case FamilyPercent:
		if p := c.Percent(); p < ms.n {
			return fmt.Sprintf("the campaign went back to %d %% funded, under %d %% (a refund)", p, ms.n), false
		}
	case FamilyBackers:
		if c.Backers < ms.n {
			return fmt.Sprintf("the campaign went back to %d backers, under %d (a refund)", c.Backers, ms.n), false
		}
	case FamilyStretch:
		if ms.n < int64(len(c.StretchGoals)) && c.Pledged < c.StretchGoals[ms.n].Amount {
			return fmt.Sprintf("the campaign went back under stretch goal %d (a refund)", ms.n), false
		}
	}
	return "", true
}
