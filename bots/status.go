package bots

import (
	"context"
	"time"
)

// EngagementSample is one reading of a post's metrics.
type EngagementSample struct {
	At time.Time `json:"at"`
	Engagement
}

// EngagementSummary averages metrics over the posts of one kind and template
// variant on one network: which posts work.
type EngagementSummary struct {
	Network        string  `json:"network"`
	Kind           string  `json:"kind"`
	Variant        string  `json:"variant"`
	Posts          int     `json:"posts"`
	AvgLikes       float64 `json:"avg_likes"`
	AvgShares      float64 `json:"avg_shares"`
	AvgReplies     float64 `json:"avg_replies"`
	AvgImpressions float64 `json:"avg_impressions"`
}

// EngagementReader is what the dashboard reads of the engagement job's series.
type EngagementReader interface {
	Series(ctx context.Context, postID string) ([]EngagementSample, error)
	Summary(ctx context.Context, since time.Time) ([]EngagementSummary, error)
}

// NetworkStatus says whether a network is publishing or paused (broken token).
type NetworkStatus struct {
	Network string    `json:"network"`
	Enabled bool      `json:"enabled"`
	Preview bool      `json:"preview"` // posts are only recorded, not sent
	Paused  bool      `json:"paused"`
	Reason  string    `json:"reason,omitempty"`
	Since   time.Time `json:"since,omitzero"`
}

// NetworkStatusReader feeds the dashboard's banner.
type NetworkStatusReader interface {
	NetworkStatus(ctx context.Context) ([]NetworkStatus, error)
}
