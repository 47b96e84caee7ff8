// Package campaigns knows where every live campaign stands: the campaign model,
// the milestone rules, the Redis tracker that fires each milestone exactly once,
// and the sources that feed it (webhook, JSON poll, import, demo).
package campaigns

import (
	"context"
	"time"
)

// State is a campaign's state on the platform.
type State string

const (
	StateLive       State = "live"
	StateSuccessful State = "successful"
	StateFailed     State = "failed"
	StateCanceled   State = "canceled"
	// StateEnded is set by Fanfare, not by platforms: a campaign still live
	// past its deadline by TrackerOptions.CloseAfter, whose platform never
	// said how it ended. It posts nothing; ClosedNote says why.
	StateEnded State = "ended"
)

// States lists every state, live first.
var States = []State{StateLive, StateSuccessful, StateFailed, StateCanceled, StateEnded}

// stateNames is States for messages.
const stateNames = "live, successful, failed, canceled, ended"

// ParseState reads a state name (exactly as written: lower case).
func ParseState(s string) (State, bool) {
	for _, st := range States {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Ended reports whether the campaign can no longer move.
func (s State) Ended() bool {
	return s == StateSuccessful || s == StateFailed || s == StateCanceled || s == StateEnded
}

// Campaign is one snapshot of a crowdfunding campaign, in the webhook's JSON shape
// (DESIGN.md "Campaign object"). Money is in minor units of Currency, never floats.
type Campaign struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	URL          string        `json:"url"`
	Lang         string        `json:"lang"`
	Currency     string        `json:"currency"`
	Goal         int64         `json:"goal"`
	Pledged      int64         `json:"pledged"`
	Backers      int64         `json:"backers"`
	LaunchedAt   time.Time     `json:"launched_at"`
	Deadline     time.Time     `json:"deadline"`
	State        State         `json:"state"`
	Creator      Creator       `json:"creator"`
	ImageURL     string        `json:"image_url,omitempty"`
	Description  string        `json:"description,omitempty"`
	StretchGoals []StretchGoal `json:"stretch_goals,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Category     string        `json:"category,omitempty"`
	// ClosedNote says why Fanfare closed the campaign (StateEnded); sources
	// cannot set it.
	ClosedNote string `json:"closed_note,omitempty"`
	// UpdatedAt orders snapshots: an older one never overwrites a newer one.
	// Sources that do not send it get the time of receipt.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Creator is who gets the shoutout. Name may be empty: posts then leave the
// credit out.
type Creator struct {
	Name         string `json:"name"`
	XHandle      string `json:"x_handle,omitempty"`
	FacebookPage string `json:"facebook_page,omitempty"`
}

// StretchGoal is an extra target past the goal.
type StretchGoal struct {
	Amount int64  `json:"amount"`
	Title  string `json:"title"`
}

// Percent is the funded percentage, rounded down, computed in integers.
func (c Campaign) Percent() int64 {
	if c.Goal <= 0 {
		return 0
	}
	return c.Pledged * 100 / c.Goal
}

// Milestone names a moment worth announcing: "launch", "percent:50",
// "backers:1000", "stretch:0", "ending:72h", "ending:24h", "ended:successful".
type Milestone string

// Event is a milestone that fired, with the snapshot that made it fire.
// Its ID (campaign id + milestone) is stable: consumers use it to stay idempotent.
type Event struct {
	ID        string    `json:"id"`
	Campaign  Campaign  `json:"campaign"`
	Milestone Milestone `json:"milestone"`
	FiredAt   time.Time `json:"fired_at"`
}

// EventID is the stable id of a campaign's milestone.
func EventID(campaignID string, m Milestone) string { return campaignID + "/" + string(m) }

// FiredMilestone is a milestone recorded for a campaign; Posted is false for the
// ones recorded silently (baseline on first sight, or skipped by a higher one).
type FiredMilestone struct {
	Milestone Milestone `json:"milestone"`
	At        time.Time `json:"at"`
	Posted    bool      `json:"posted"`
}

// Ingester takes campaign snapshots from a source. The tracker implements it;
// sources depend only on this interface.
type Ingester interface {
	Ingest(ctx context.Context, snapshots []Campaign) (IngestResult, error)
}

// IngestResult says what an ingest did.
type IngestResult struct {
	Accepted int     // snapshots stored
	Stale    int     // older than what was stored: ignored
	Fired    []Event // milestones that will be posted
	Recorded int     // milestones recorded without a post
	// Rejected lists the snapshots that failed validation: they are not stored
	// and do not stop the rest of the batch.
	Rejected []Rejection
	// Unposted are milestones over the cap of posts one delivery or poll may
	// create (TrackerOptions.MaxPosts): recorded as fired without a post,
	// so that they never post later either, and reported by the source.
	Unposted []Event
}

// Rejection is a snapshot refused by Ingest; Err is a *FieldError naming the field.
type Rejection struct {
	ID  string
	Err error
}
