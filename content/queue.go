package content

import (
	"context"
	"errors"
	"time"
)

// Errors the queue returns; callers test them with errors.Is.
var (
	ErrNotFound = errors.New("post not found")
	// ErrWrongState: the action does not fit the post's current state (approve a
	// published post, edit one being published...). The wrapped message says which.
	ErrWrongState = errors.New("post is not in a state that allows this")
)

// FieldError names the field of a post (or of an edit) that is wrong.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ListOptions filters and pages a listing. Posts come newest first.
type ListOptions struct {
	State      State  // empty: every state
	CampaignID string // empty: every campaign
	Network    string // empty: every network
	GroupID    string // empty: every group
	Kind       Kind   // empty: every kind
	Lang       string // empty: every language
	// Family is a milestone family, the part of the milestone before ':'
	// ("percent" for "percent:50", "launch"); empty: every post.
	Family string
	Limit  int // 0: 50; capped at 500
	Offset int
}

// Edit changes a pending or approved post; nil fields stay as they are. The
// edited text is checked against the network's length rules again.
type Edit struct {
	Text        *string
	Link        *string
	ScheduledAt *time.Time // reschedule an approved post by hand
	NotAfter    *time.Time
}

// Resolution settles an unknown (or failed) post by hand: either it is on the
// network after all (Published with the URL a person found), or it is discarded.
type Resolution struct {
	Published   bool
	ExternalURL string
	ExternalID  string
	Reason      string
}

// AuditLine is one change in the global audit log.
type AuditLine struct {
	PostID string `json:"post_id"`
	Change
}

// Queue is the approval queue: every post's lifecycle goes through it. The Redis
// implementation is *Store.
type Queue interface {
	// Create stores a draft as a pending post (or approved, when an auto-approve
	// rule matches). It is idempotent per (DedupKey, Network): a second call
	// returns the existing post and created=false.
	Create(ctx context.Context, d Draft) (p Post, created bool, err error)
	Get(ctx context.Context, id string) (Post, error)
	List(ctx context.Context, o ListOptions) (posts []Post, total int, err error)
	Counts(ctx context.Context) (map[State]int, error)
	Edit(ctx context.Context, id string, e Edit, actor string) (Post, error)
	Approve(ctx context.Context, id, actor string) (Post, error)
	Reject(ctx context.Context, id, actor, reason string) (Post, error)
	// Retry moves a failed, unknown or duplicate post back to approved.
	Retry(ctx context.Context, id, actor string) (Post, error)
	Resolve(ctx context.Context, id, actor string, r Resolution) (Post, error)
	// AuditLog lists the newest changes across all posts.
	AuditLog(ctx context.Context, limit int) ([]AuditLine, error)
}
