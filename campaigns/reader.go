package campaigns

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound: no campaign with that id is tracked.
var ErrNotFound = errors.New("campaign not found")

// ListOptions filters and pages campaign listings.
type ListOptions struct {
	State  State // empty: every state; live campaigns come first, by deadline
	Offset int
	Limit  int // 0: 50
}

// Sample is one point of a campaign's pledge history (sparklines, momentum).
type Sample struct {
	At      time.Time `json:"at"`
	Pledged int64     `json:"pledged"`
	Backers int64     `json:"backers"`
}

// Reader is what the dashboard, the API, the CLI and the story picker read of the
// tracker.
type Reader interface {
	Get(ctx context.Context, id string) (Campaign, []FiredMilestone, error)
	List(ctx context.Context, o ListOptions) ([]Campaign, int, error)
	History(ctx context.Context, id string, since time.Time) ([]Sample, error)
	// MatchURL finds a tracked campaign whose URL is the link (scheme, trailing
	// slash and query ignored).
	MatchURL(ctx context.Context, url string) (id string, ok bool, err error)
}
