package bots

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// SlotRule names the rule that keeps a post from a time, so that the
// dashboard can say it in the person's language.
type SlotRule string

const (
	SlotFits            SlotRule = ""                 // the time fits every rule
	SlotPast            SlotRule = "past"             // the time is not in the future
	SlotAfterNotAfter   SlotRule = "not_after"        // the post must be out before its not_after
	SlotQuietHours      SlotRule = "quiet_hours"      // Until: when the window ends
	SlotDailyCap        SlotRule = "daily_cap"        // Cap posts already on Day
	SlotMinSpacing      SlotRule = "min_spacing"      // Spacing too close to the post at Conflict
	SlotCampaignSpacing SlotRule = "campaign_spacing" // the same, between two posts of one campaign
)

// SlotVerdict says whether a post may go out at a given time on its network,
// and when not, which rule forbids it with what the rule needs to be told.
type SlotVerdict struct {
	Rule     SlotRule
	Until    time.Time     // quiet hours: their end after the time asked
	Day      time.Time     // daily cap: the day (midnight in the platform's zone)
	Cap      int           // daily cap: the network's cap
	Conflict time.Time     // spacing: the slot too close to the time asked
	Spacing  time.Duration // spacing: the rule's duration
	// Next is the earliest time after the one asked that fits every rule
	// (zero when none does within the scheduler's horizon, or before the
	// post's not_after): what the dashboard offers instead.
	Next time.Time
}

// OK reports whether the time fits.
func (v SlotVerdict) OK() bool { return v.Rule == SlotFits }

// SlotEstimate is when an approved post without a slot would go out if the
// scheduler placed it now: the earliest free slot and the note saying which
// rules pushed it there, as the calendar shows it once placed. Other posts
// approved meanwhile, or more urgent ones, may take it first.
type SlotEstimate struct {
	At   time.Time // zero when OK is false
	Note string
	OK   bool // false: no slot within the horizon or before not_after
}

// CheckSlot says whether p may go out at at: in the future, before its
// not_after, outside quiet hours, under the daily cap and apart from the other
// slots of its network and campaign. p's own slot does not count against it,
// so moving a post by a few minutes is judged on the others. It reads the
// calendar without changing it: the dashboard asks before a person moves a
// post, and the move itself is an edit of the post's slot.
func (s *Scheduler) CheckSlot(ctx context.Context, p content.Post, at time.Time) (SlotVerdict, error) {
	now := s.now()
	if !at.After(now) {
		return SlotVerdict{Rule: SlotPast}, nil
	}
	if !p.NotAfter.IsZero() && !at.Before(p.NotAfter) {
		return SlotVerdict{Rule: SlotAfterNotAfter}, nil
	}
	limits := s.Limits(p.Network)
	taken, campTaken, err := s.calendarFor(ctx, p, at.Add(-max(48*time.Hour, limits.MinSpacing, limits.CampaignSpacing)), at.Add(slotHorizon+24*time.Hour))
	if err != nil {
		return SlotVerdict{}, err
	}
	v := s.judge(taken, campTaken, at, limits)
	if v.OK() {
		return v, nil
	}
	if next, _, ok := nextSlot(taken, campTaken, at, limits, s.quietOf(limits), s.loc); ok && (p.NotAfter.IsZero() || next.Before(p.NotAfter)) {
		v.Next = next
	}
	return v, nil
}

// Move moves an approved post to at for a person when CheckSlot allows it,
// and the store checks the network's limits again in the same step as the
// move (content.Store.MoveSlot): two people moving posts at once, or a
// person and the scheduler, cannot fill an hour past the caps. A refused
// move returns its verdict (with the nearest time that fits, as CheckSlot)
// and p unchanged.
func (s *Scheduler) Move(ctx context.Context, p content.Post, at time.Time, actor string) (SlotVerdict, content.Post, error) {
	for range 3 {
		v, err := s.CheckSlot(ctx, p, at)
		if err != nil || !v.OK() {
			return v, p, err
		}
		moved, err := s.store.MoveSlot(ctx, p.ID, at, s.guard(s.Limits(p.Network), at), actor)
		if errors.Is(err, content.ErrSlotTaken) {
			continue // a neighbouring slot was taken since the check: judge again
		}
		if err != nil {
			return SlotVerdict{}, p, err
		}
		return v, moved, nil
	}
	return SlotVerdict{}, p, fmt.Errorf("bots: unable to move post %s: its network's calendar keeps changing", p.ID)
}

// EarliestSlot estimates when p would go out if it were placed now (see
// SlotEstimate); a post released after a failed attempt is not placed before
// its retry time, which this estimate does not know.
func (s *Scheduler) EarliestSlot(ctx context.Context, p content.Post) (SlotEstimate, error) {
	now := s.now()
	limits := s.Limits(p.Network)
	taken, campTaken, err := s.calendarFor(ctx, p, now.Add(-max(48*time.Hour, limits.MinSpacing, limits.CampaignSpacing)), now.Add(slotHorizon+24*time.Hour))
	if err != nil {
		return SlotEstimate{}, err
	}
	at, note, ok := nextSlot(taken, campTaken, now, limits, s.quietOf(limits), s.loc)
	if !ok || (!p.NotAfter.IsZero() && !at.Before(p.NotAfter)) {
		return SlotEstimate{Note: note}, nil
	}
	return SlotEstimate{At: at, Note: note, OK: true}, nil
}

// calendarFor reads the slots used on p's network (and by its campaign, when
// campaign spacing applies) between from and to, without p's own slot.
func (s *Scheduler) calendarFor(ctx context.Context, p content.Post, from, to time.Time) (taken, campTaken []time.Time, err error) {
	limits := s.Limits(p.Network)
	if taken, err = s.store.SlotTimes(ctx, p.Network, from, to); err != nil {
		return nil, nil, err
	}
	if limits.CampaignSpacing > 0 && p.CampaignID != "" {
		if campTaken, err = s.store.CampaignSlotTimes(ctx, p.Network, p.CampaignID, from, to); err != nil {
			return nil, nil, err
		}
	}
	if p.State == content.StateApproved && !p.ScheduledAt.IsZero() {
		taken, campTaken = withoutOne(taken, p.ScheduledAt), withoutOne(campTaken, p.ScheduledAt)
	}
	return taken, campTaken, nil
}

// judge applies the rules nextSlot applies, in the same order, to one time.
func (s *Scheduler) judge(taken, campTaken []time.Time, at time.Time, limits NetworkLimits) SlotVerdict {
	t := at.In(s.loc)
	if q := s.quietOf(limits); q != nil && q.contains(t) {
		return SlotVerdict{Rule: SlotQuietHours, Until: q.endAfter(t)}
	}
	if limits.DailyCap > 0 {
		y, mo, d := t.Date()
		start := time.Date(y, mo, d, 0, 0, 0, 0, s.loc)
		end := time.Date(y, mo, d+1, 0, 0, 0, 0, s.loc)
		n := 0
		for _, u := range taken {
			if !u.Before(start) && u.Before(end) {
				n++
			}
		}
		if n >= limits.DailyCap {
			return SlotVerdict{Rule: SlotDailyCap, Day: start, Cap: limits.DailyCap}
		}
	}
	if c, ok := conflict(taken, at, limits.MinSpacing); ok {
		return SlotVerdict{Rule: SlotMinSpacing, Conflict: c, Spacing: limits.MinSpacing}
	}
	if c, ok := conflict(campTaken, at, limits.CampaignSpacing); ok {
		return SlotVerdict{Rule: SlotCampaignSpacing, Conflict: c, Spacing: limits.CampaignSpacing}
	}
	return SlotVerdict{}
}

// withoutOne drops one occurrence of t (a post's own slot) from ts.
func withoutOne(ts []time.Time, t time.Time) []time.Time {
	i := slices.IndexFunc(ts, func(u time.Time) bool { return u.Equal(t) })
	if i < 0 {
		return ts
	}
	return slices.Delete(slices.Clone(ts), i, i+1)
}

// QuietHours is the daily window without posts; nil when none.
func (s *Scheduler) QuietHours() *QuietHours { return s.opts.QuietHours }
