// Package bots runs Fanfare: the daemon and its cron jobs, the publisher
// interface that each network package implements (bots/x, bots/facebook,
// bots/preview), scheduling, rate limits and reconcile.
package bots

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Message is what a publisher sends: the text as composed for the network, the
// link (Facebook attaches it as a link preview; on X it is already in Text) and
// an optional image.
type Message struct {
	PostID   string // ours: for logs, and the key networks dedupe retries by (Mastodon, Bluesky)
	Text     string
	Link     string
	ImageURL string
	// ImageAlt describes the image for people who cannot see it (X alt text,
	// Mastodon description, Bluesky and Instagram alt): the campaign's title.
	// Optional.
	ImageAlt string
	// LinkTitle and LinkDescription fill the link card where the poster builds
	// it (Bluesky's external embed): the campaign's title and description.
	// Optional; Bluesky falls back to ImageAlt, then to the link's host.
	LinkTitle       string
	LinkDescription string
	// Lang is the text's language (BCP 47: "fr", "en"), for the networks that
	// tag posts with it (Mastodon language, Bluesky langs). Optional.
	Lang string
}

// Receipt is what the network gave back for a published post.
type Receipt struct {
	ID          string    // the network's id
	URL         string    // a public URL of the post
	PublishedAt time.Time // the network's time when it says it, else ours
}

// Engagement is one reading of a published post's metrics.
type Engagement struct {
	Likes       int64 `json:"likes"`       // X like_count; Facebook reactions
	Shares      int64 `json:"shares"`      // X retweet_count + quote_count; Facebook shares
	Replies     int64 `json:"replies"`     // X reply_count; Facebook comments
	Impressions int64 `json:"impressions"` // X impression_count; 0 where unknown
}

// Publisher sends posts to one network. Implementations classify every failure
// as an *Error so that the publish job knows whether the post may exist.
type Publisher interface {
	// Network is "x", "facebook" or "preview:<network>".
	Network() string
	// Publish creates the post. On failure it returns an *Error.
	Publish(ctx context.Context, m Message) (Receipt, error)
	// FindRecent looks among the account's posts since the given time for one
	// with this text (after the network's own escaping is undone), for reconcile.
	FindRecent(ctx context.Context, text string, since time.Time) (Receipt, bool, error)
	// Engagement reads metrics for published posts by their network ids; ids the
	// network no longer knows are absent from the map.
	Engagement(ctx context.Context, ids []string) (map[string]Engagement, error)
}

// ErrorKind says what a failed publish means for the post.
type ErrorKind int

const (
	// KindNotSent: the request certainly did not create the post (connection
	// refused before sending, DNS failure): safe to retry with backoff.
	KindNotSent ErrorKind = iota + 1
	// KindRateLimited: 429 or Graph 4/17/32/613; not created; retry at RetryAt.
	KindRateLimited
	// KindAuth: token revoked or expired (X 401, Graph 190): pause the network,
	// keep the post approved.
	KindAuth
	// KindDuplicate: the network says this text already exists.
	KindDuplicate
	// KindInvalid: the network refused the content (400, Graph 100): failed, keep
	// the reason for a person.
	KindInvalid
	// KindBlocked: the account is temporarily blocked (Graph 368): failed.
	KindBlocked
	// KindAmbiguous: the post may exist (timeout, dropped connection, 5xx):
	// never retried blindly; reconcile decides.
	KindAmbiguous
)

func (k ErrorKind) String() string {
	switch k {
	case KindNotSent:
		return "not_sent"
	case KindRateLimited:
		return "rate_limited"
	case KindAuth:
		return "auth"
	case KindDuplicate:
		return "duplicate"
	case KindInvalid:
		return "invalid"
	case KindBlocked:
		return "blocked"
	case KindAmbiguous:
		return "ambiguous"
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Error is a classified publish failure.
type Error struct {
	Network string
	Kind    ErrorKind
	Status  int    // HTTP status, 0 when none
	Code    int    // the network's error code (Graph code, X legacy code), 0 when none
	Message string // the network's own words, shown to the community manager
	RetryAt time.Time
	Err     error // the underlying error, if any
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Network, e.Kind, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Network, e.Kind, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ClassifyError returns err's kind; an unclassified error is treated as ambiguous,
// the safe default for at-most-once publishing.
func ClassifyError(err error) ErrorKind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return KindAmbiguous
}

// eachNetwork runs fn for every network in a stable order, so that one
// network's failure never keeps the others from their turn; the errors are
// joined, each named by its network.
func eachNetwork(publishers map[string]Publisher, fn func(network string) error) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(publishers)) {
		if err := fn(name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
