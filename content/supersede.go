package content

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Supersede expires the milestone posts of a campaign on one network that a
// newer milestone post of the same campaign and network makes stale: a
// "50 %" post still waiting when the campaign has reached 100 % would go out
// late, with numbers that are no longer true.
//
// supersedes(newer, older) says whether a post about milestone newer makes
// one about older stale ("percent:100", "percent:50"); the caller owns the
// milestone grammar (the composer passes its parser), so the store never
// reads milestone strings itself. Every milestone post of the campaign on the
// network counts as newer, whatever its state (a published or rejected
// 100 % post still makes 50 % stale), and each stale post is expired with
// the reason "superseded by <newest milestone>" and the given actor. So the
// outcome does not depend on the order events arrive in: a 50 % post drafted
// after the 100 % one is expired at once.
//
// Only pending and approved posts move, each atomically through the
// transition script: a post claimed meanwhile (publishing) or already
// published is left alone, and so is one a person moved first. A second call
// finds nothing left to expire, so a re-delivered event changes nothing. It
// returns how many posts it expired.
func (s *Store) Supersede(ctx context.Context, campaignID, network string, supersedes func(newer, older string) bool, actor string) (int, error) {
	switch {
	case campaignID == "" || strings.ContainsAny(campaignID, "{} \t\r\n"):
		return 0, &FieldError{Field: "campaign_id", Message: fmt.Sprintf("%q is not a campaign id", campaignID)}
	case !validChannel(network):
		return 0, &FieldError{Field: "network", Message: fmt.Sprintf("%q is not a network name (letters, digits, - and _)", network)}
	case supersedes == nil:
		return 0, &FieldError{Field: "supersedes", Message: "is required"}
	}
	if err := needActor(actor); err != nil {
		return 0, err
	}

	// A campaign's index is small (a few dozen posts over its life), so the
	// candidates are read whole and compared here; the script re-checks the
	// state, the only one of these fields that changes after creation.
	ids, err := s.rdb.ZRange(ctx, s.k.campaign(campaignID), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("content: unable to list the posts of campaign %s: %w", campaignID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.k.post(id), "state", "network", "kind", "milestone", "covers")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("content: unable to read the posts of campaign %s: %w", campaignID, err)
	}
	type candidate struct {
		id         string
		milestones []string // what the post tells of this campaign
		state      State
	}
	var posts []candidate
	var milestones []string // distinct, oldest post first
	for i, c := range cmds {
		f := c.Val()
		str := func(j int) string { v, _ := f[j].(string); return v }
		if str(1) != network || Kind(str(2)) != KindMilestone || str(3) == "" {
			continue
		}
		told := []string{str(3)}
		if covers := decodeCovers(str(4)); len(covers) > 0 {
			told = told[:0]
			for _, cv := range covers {
				if cv.CampaignID == campaignID {
					told = append(told, cv.Milestone)
				}
			}
		}
		posts = append(posts, candidate{id: ids[i], state: State(str(0)), milestones: told})
		for _, m := range told {
			if !slices.Contains(milestones, m) {
				milestones = append(milestones, m)
			}
		}
	}

	// newest is the furthest milestone superseding m, "" when none does.
	newest := func(m string) string {
		best := ""
		for _, o := range milestones {
			if supersedes(o, m) && (best == "" || supersedes(o, best)) {
				best = o
			}
		}
		return best
	}
	n := 0
	for _, p := range posts {
		if p.state != StatePending && p.state != StateApproved || len(p.milestones) == 0 {
			continue
		}
		// A post is stale only when everything it tells is: a merged post
		// still telling one live milestone stays.
		var by []string
		for _, m := range p.milestones {
			b := newest(m)
			if b == "" {
				by = nil
				break
			}
			if !slices.Contains(by, b) {
				by = append(by, b)
			}
		}
		if len(by) == 0 {
			continue
		}
		expired, err := s.expireIfWaiting(ctx, p.id, change{actor: actor, reason: "superseded by " + strings.Join(by, ", ")})
		if err != nil {
			return n, err
		}
		if expired {
			n++
		}
	}
	return n, nil
}
