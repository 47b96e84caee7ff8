// Package content turns what happens on the platform into posts: the post model and
// its lifecycle, the approval queue in Redis, the composer and its templates, text
// rules per network, links, feed curation and creator stories.
package content

import (
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content/text"
)

// Kind says where a post came from.
type Kind string

const (
	KindMilestone Kind = "milestone"
	KindStory     Kind = "story"
	KindCurated   Kind = "curated"
	KindManual    Kind = "manual"
	KindDigest    Kind = "digest"
)

// Kinds lists every kind, for listings and validation.
var Kinds = []Kind{KindMilestone, KindStory, KindCurated, KindManual, KindDigest}

// State is a post's place in its lifecycle (DESIGN.md "Post lifecycle").
type State string

const (
	StatePending    State = "pending"    // waits for a person
	StateApproved   State = "approved"   // will go out at its slot
	StatePublishing State = "publishing" // claimed by one publisher, under a lease
	StatePublished  State = "published"  // the network has it: ExternalID, ExternalURL
	StateRejected   State = "rejected"   // a person said no
	StateExpired    State = "expired"    // NotAfter passed before it could go out
	StateFailed     State = "failed"     // the network said no; LastError says why
	StateUnknown    State = "unknown"    // the request may have gone through: reconcile or a person decides
	StateDuplicate  State = "duplicate"  // the network says the text already exists
)

// States lists every state, in lifecycle order, for listings and validation.
var States = []State{StatePending, StateApproved, StatePublishing, StatePublished,
	StateRejected, StateExpired, StateFailed, StateUnknown, StateDuplicate}

// Network names. Posts are per channel: one account on a network, named by
// the network alone for its only (unnamed) account, or "network@account"
// ("x@platform_fr") when the network has several (see text.Channel).
const (
	NetworkX         = text.NetworkX
	NetworkFacebook  = text.NetworkFacebook
	NetworkInstagram = text.NetworkInstagram
	NetworkMastodon  = text.NetworkMastodon
	NetworkBluesky   = text.NetworkBluesky
)

// Cover is one milestone a post tells: a single milestone post covers one,
// a merged post several of one campaign, a digest many campaigns'.
type Cover struct {
	CampaignID string `json:"campaign_id"`
	Milestone  string `json:"milestone"`
	// NotAfter is when this milestone stops being news (its freshness): a
	// digest drops the milestones it can no longer tell in time.
	NotAfter time.Time `json:"not_after,omitzero"`
}

// Same reports whether two covers tell the same milestone.
func (c Cover) Same(o Cover) bool { return c.CampaignID == o.CampaignID && c.Milestone == o.Milestone }

// Post is one message for one network.
type Post struct {
	ID      string `json:"id"`
	GroupID string `json:"group_id"` // the event that caused it; posts of one event share it
	Kind    Kind   `json:"kind"`
	// Network is the post's channel: "x", or "x@platform_fr" when X has
	// several accounts. Every per-network rule (caps, slots, pauses, the
	// publisher) applies per channel; text rules per network (text.NetworkOf).
	Network string `json:"network"`
	// Account is the account part of the channel, "" for a network's only
	// account (read-only: derived from Network).
	Account    string `json:"account,omitempty"`
	CampaignID string `json:"campaign_id,omitempty"`
	Milestone  string `json:"milestone,omitempty"` // the main milestone told (the most urgent of Covers)
	// Covers lists every milestone the post tells (API contract: one entry for
	// a single milestone, several for merged and digest posts; empty for
	// stories, curated and manual posts).
	Covers   []Cover `json:"covers"`
	Text     string  `json:"text"`
	Link     string  `json:"link,omitempty"`
	ImageURL string  `json:"image_url,omitempty"`
	// ImageAlt describes the image for people who cannot see it (the
	// campaign's title): X alt text, Mastodon description, Bluesky alt.
	ImageAlt    string    `json:"image_alt,omitempty"`
	Lang        string    `json:"lang"`
	Variant     string    `json:"variant,omitempty"` // template variant, for engagement stats
	Source      string    `json:"source,omitempty"`  // curated: the feed's URL
	Priority    int       `json:"priority"`          // lower goes first when slots are scarce
	State       State     `json:"state"`
	NotAfter    time.Time `json:"not_after,omitzero"`    // zero: not time-bound
	ScheduledAt time.Time `json:"scheduled_at,omitzero"` // the slot, once approved
	SlotNote    string    `json:"slot_note,omitempty"`   // which rule placed the slot, for the calendar
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	ExternalID  string    `json:"external_id,omitempty"`
	ExternalURL string    `json:"external_url,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	Attempts    int       `json:"attempts"`
	// FoldedInto is the digest that tells this post's milestones instead of
	// it (the post itself is expired).
	FoldedInto string `json:"folded_into,omitempty"`
	// Revision counts the rewrites of a bundle (merges, folds, withdrawals):
	// a rewrite names the revision it was computed from and is refused when
	// another one came first.
	Revision int `json:"revision"`
	// EditedBy is the person who last edited the text, if anyone: a bundle a
	// person wrote is never rewritten by a merge or a fold.
	EditedBy string `json:"edited_by,omitempty"`
	// ApprovedBy is who approved the post: a person, or "system:…" for the
	// auto-approve rules and digests of approved posts.
	ApprovedBy string `json:"approved_by,omitempty"`
	// OpenUntil is when the post stops taking new milestones (a merge
	// window's end); zero: until it is claimed or decided.
	OpenUntil time.Time `json:"-"`
	Audit     []Change  `json:"audit,omitempty"`
}

// Covering reports whether the post tells milestone m of campaign c.
func (p Post) Covering(c, m string) bool {
	for _, cv := range p.Covers {
		if cv.CampaignID == c && cv.Milestone == m {
			return true
		}
	}
	return false
}

// Change is one line of a post's audit trail: who did what, when and why.
type Change struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"` // a user name, "api:<token name>", or "system:<job>"
	Action string    `json:"action"`
	From   State     `json:"from,omitempty"`
	To     State     `json:"to,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Draft is what a producer (composer, curator, stories, a person) hands to the queue.
// DedupKey makes creation idempotent: the same key and network never make two posts.
type Draft struct {
	// ID is the new post's id; empty: a new one (see Store.NewID: a digest
	// links to its own page, so it needs its id before it exists).
	ID         string
	DedupKey   string
	GroupID    string
	Kind       Kind
	Network    string
	CampaignID string
	Milestone  string
	// Covers defaults to {CampaignID, Milestone} for a milestone draft.
	Covers   []Cover
	Text     string
	Link     string
	ImageURL string
	ImageAlt string
	Lang     string
	Variant  string
	Source   string
	Priority int
	NotAfter time.Time
	Actor    string
	// Approved creates the post approved: every milestone it tells was
	// approved already (a digest of approved posts), so a person's approval
	// carries over.
	Approved bool
}

// Route says which campaigns a channel posts about: those in one of its
// languages and one of its categories; an empty list takes every one.
// Platforms run an account per language or per category (@platform_fr,
// @platform_games).
type Route struct {
	Langs      []string
	Categories []string
}

// Takes reports whether the route takes a campaign of that language and
// category (categories compare without case: "Jeux" is "jeux").
func (r Route) Takes(lang, category string) bool {
	if len(r.Langs) > 0 && !slices.Contains(r.Langs, strings.ToLower(lang)) {
		return false
	}
	if len(r.Categories) > 0 && !slices.ContainsFunc(r.Categories, func(c string) bool { return strings.EqualFold(c, category) }) {
		return false
	}
	return true
}
