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
	// EarliestSlot estimates when an unplaced post would go out.
	EarliestSlot(ctx context.Context, p content.Post) (bots.SlotEstimate, error)
	// QuietHours is the daily window without posts; nil when none.
	QuietHours() *bots.QuietHours
}

var _ SlotPlanner = (*bots.Scheduler)(nil)

// networkHolds is what Options.Networks may also tell: until when a rate
// limit holds a network (*bots.Networks does).
type networkHolds interface {
	HeldUntil(ctx context.Context, network string) (time.Time, error)
}
