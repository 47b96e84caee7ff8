package content

import (
	"context"
	"errors"
	"time"
)

// Errors a FeedRegistry returns; callers test them with errors.Is.
var (
	ErrFeedNotFound = errors.New("feed not found")
	// ErrFeedFromConfig: the feed is listed in the config file, so only the
	// file can change or remove it.
	ErrFeedFromConfig = errors.New("feed is listed in the config file")
)

// Feed is a partner's, the press's or a creator's feed that the curator reads.
type Feed struct {
	URL         string   `json:"url"`
	Schedule    string   `json:"schedule,omitempty"` // cron spec; empty: schedule.feeds
	Keywords    []string `json:"keywords,omitempty"`
	Lang        string   `json:"lang,omitempty"`
	AutoApprove bool     `json:"auto_approve"`
	Networks    []string `json:"networks,omitempty"` // empty: every enabled network
	FromConfig  bool     `json:"from_config"`        // listed in the config file (not removable at run time)
}

// FeedStatus is a feed with what its last fetch did.
type FeedStatus struct {
	Feed
	Title             string    `json:"title,omitempty"`
	LastFetch         time.Time `json:"last_fetch,omitzero"`
	LastStatus        string    `json:"last_status,omitempty"` // ok, not_modified, error
	LastError         string    `json:"last_error,omitempty"`
	ETag              string    `json:"-"`
	LastModified      string    `json:"-"`
	Items             int       `json:"items"`   // items in the last fetched document
	Curated           int       `json:"curated"` // drafts made from this feed, ever
	ConsecutiveErrors int       `json:"consecutive_errors"`
}

// FeedRegistry lists and changes the feeds the curator reads.
type FeedRegistry interface {
	Add(ctx context.Context, f Feed) error
	Remove(ctx context.Context, url string) error
	List(ctx context.Context) ([]FeedStatus, error)
}
