package web

import (
	"context"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

// SlotPlanner is what the dashboard asks of the scheduler; *bots.Scheduler
// implements it.
type SlotPlanner interface {
	// PlanNetwork gives slots to a network's approved posts that have none.
	PlanNetwork(ctx context.Context, network string) error
	// CheckSlot says whether a post may go out at a time, and which rule
	// forbids it when not.
	CheckSlot(ctx context.Context, p content.Post, at time.Time) (bots.SlotVerdict, error)
	// Move moves an approved post to a time for a person when CheckSlot
	// allows it, checked again in the same step as the move; a refused
	// move returns its verdict and the post unchanged.
	Move(ctx context.Context, p content.Post, at time.Time, actor string) (bots.SlotVerdict, content.Post, error)
	// EarliestSlot estimates when an unplaced post would go out.
	EarliestSlot(ctx context.Context, p content.Post) (bots.SlotEstimate, error)
	// QuietHours is the daily window without posts; nil when none.
	QuietHours() *bots.QuietHours
}

var _ SlotPlanner = (*bots.Scheduler)(nil)

// slotRefused is a time a person asked for that the network's limits do not
// allow (CheckSlot's verdict), said in the reader's language where it is
// shown: slotRefusal names the rule and the nearest time that fits.
type slotRefused struct {
	post    content.Post
	at      time.Time
	verdict bots.SlotVerdict
}

func (e *slotRefused) Error() string {
	return "slot refused at " + e.at.Format(time.RFC3339) + ": " + string(e.verdict.Rule)
}

// networkHolds is what Options.Networks may also tell: until when a rate
// limit holds a network (*bots.Networks does).
type networkHolds interface {
	HeldUntil(ctx context.Context, network string) (time.Time, error)
}
