package content

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A bundle is a post that tells several milestones and can still take more:
// a merged post (one campaign's milestones that fire together) or a digest
// (milestones of many campaigns that could not go out alone in time). Each
// bundle has a name (Bundle) whose key in Redis holds the id of its open
// post, the one new milestones join; when that post is claimed, decided or
// edited by a person, the next milestone starts a new one.
//
// Rewrites are optimistic: the caller reads the open post (OpenBundle),
// writes the new text for its covers, and Revise applies it only if the post
// is still at the revision read. The text is not written in Lua because
// templates live in Go; the compare-and-set makes the two steps safe across
// replicas.

// Errors of the bundle operations.
var (
	// ErrConflict: the bundle or the post changed since it was read; read
	// again and recompute.
	ErrConflict = errors.New("bundle changed meanwhile")
	// ErrEdited: a person edited the post's text; it is not rewritten.
	ErrEdited = errors.New("post was edited by a person")
	// ErrMemberMoved: a post to fold was claimed or decided meanwhile.
	ErrMemberMoved = errors.New("post to fold is no longer waiting")
)

// MovedError names the post to fold that was no longer waiting; it wraps
// ErrMemberMoved.
type MovedError struct {
	PostID string
	err    error
}

func (e *MovedError) Error() string { return e.err.Error() }
func (e *MovedError) Unwrap() error { return e.err }

// Bundle names an open post that milestones may join.
type Bundle struct{ name string }

// MergeBundle is where one campaign's milestones on one network merge.
func MergeBundle(network, campaignID string) Bundle {
	return Bundle{name: "merge:" + network + ":" + campaignID}
}

// DigestBundle is where milestones fold, per network and language.
func DigestBundle(network, lang string) Bundle {
	return Bundle{name: "digest:" + network + ":" + lang}
}

func (b Bundle) String() string { return b.name }

// BundleCAS makes a new post the bundle's open post if the bundle still
// holds Expect (the id the caller read, "" when it held none).
type BundleCAS struct {
	Bundle Bundle
	Expect string
	// Until closes the bundle at that time (the end of a merge window, by
	// the caller's clock); zero keeps it open until its post moves on.
	Until time.Time
}

// bundleKeep is how long a closed bundle's key outlives its window, by
// Redis's clock: only to forget the keys of campaigns long gone.
const bundleKeep = 24 * time.Hour

// ttl is how long Redis keeps the bundle's key ("" for ever).
func (cas BundleCAS) ttl(now time.Time) string {
	if cas.Until.IsZero() {
		return ""
	}
	return strconv.FormatInt((max(cas.Until.Sub(now), 0) + bundleKeep).Milliseconds(), 10)
}

// OpenBundle returns the post the bundle names, if any; the caller decides
// whether it can still be joined (see Post.Joinable).
func (s *Store) OpenBundle(ctx context.Context, b Bundle) (Post, bool, error) {
	id, err := s.rdb.Get(ctx, s.k.bundle(b)).Result()
	if errors.Is(err, redis.Nil) {
		return Post{}, false, nil
	} else if err != nil {
		return Post{}, false, fmt.Errorf("content: unable to read bundle %s: %w", b, err)
	}
	posts, err := s.load(ctx, []string{id})
	if err != nil || len(posts) == 0 {
		return Post{}, false, err
	}
	return posts[0], true, nil
}

// Joinable reports whether new milestones may still be added to p at now: it
// waits (pending or approved), nobody is publishing it, no person wrote its
// text, and its bundle's window has not closed.
func (p Post) Joinable(now time.Time) bool {
	return (p.State == StatePending || p.State == StateApproved) && p.EditedBy == "" &&
		(p.OpenUntil.IsZero() || now.Before(p.OpenUntil))
}

// CreateBundled stores a draft like Create and makes it the bundle's open
// post, atomically with the check that the bundle still holds cas.Expect
// (ErrConflict otherwise: read the bundle again). members are waiting posts
// the new one tells instead (a new digest's): they are expired, folded into
// it, in the same step, or nothing happens (ErrMemberMoved names the one that
// moved on).
func (s *Store) CreateBundled(ctx context.Context, d Draft, cas BundleCAS, members []string) (Post, bool, error) {
	return s.create(ctx, d, &cas, members)
}

func (s *Store) create(ctx context.Context, d Draft, cas *BundleCAS, members []string) (Post, bool, error) {
	if err := s.checkDraft(&d); err != nil {
		return Post{}, false, err
	}
	now := s.now()
	id := d.ID
	if id == "" {
		id = s.ids()
	}
	if d.DedupKey == "" {
		d.DedupKey = "id:" + id
	}
	if err := s.ownLink(ctx, id, d.Kind, d.Network, &d.Text, &d.Link); err != nil {
		return Post{}, false, err
	}
	state := StatePending
	rule, auto := s.auto.Match(d)
	if !auto && d.Approved {
		rule, auto = "approvals of the posts it tells", true
	}
	if auto {
		state = StateApproved
	}
	memberRoutes, err := s.routes(ctx, members...)
	if err != nil {
		return Post{}, false, err
	}
	keys := append([]string{s.k.dedup(d.Network, d.DedupKey)}, s.k.scriptShared()...)
	keys = append(keys, s.k.postBlock(id, route{network: d.Network, campaignID: d.CampaignID})...)
	useBundle, expect, ttl := "", "", ""
	fields := draftFields(id, d, state, now)
	if auto {
		fields = append(fields, "approved_by", "system:auto-approve")
	}
	if cas != nil {
		keys = append(keys, s.k.bundle(cas.Bundle))
		useBundle, expect, ttl = "1", cas.Expect, cas.ttl(now)
		fields = append(fields, "open_until", msString(cas.Until))
	}
	for i, m := range members {
		keys = append(keys, s.k.postBlock(m, memberRoutes[i])...)
	}
	// The indexes the new post joins, by creation time.
	keys = append(keys, s.k.all(), s.k.network(d.Network))
	for _, c := range append([]string{d.CampaignID}, otherCampaigns(d.CampaignID, d.Covers)...) {
		if c != "" {
			keys = append(keys, s.k.campaign(c))
		}
	}
	if d.GroupID != "" {
		keys = append(keys, s.k.group(d.GroupID))
	}
	args := []any{id, msString(now), stamp(now), d.Actor, rule, useBundle, expect, ttl, strings.Join(members, " ")}
	args = append(args, fields...)
	res, err := createScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return Post{}, false, bundleError("create", id, err)
	}
	created, _ := res[0].(int64)
	existing, _ := res[1].(string)
	if s.linker != nil && existing != id {
		// A duplicate: the link made for it leads nowhere.
		_ = s.linker.Unlink(ctx, id)
	}
	p, err := s.Get(ctx, existing)
	if err != nil {
		return Post{}, false, err
	}
	return p, created == 1, nil
}

// Revision is a rewrite of a bundle: its new covers and text, and what
// joins it.
type Revision struct {
	// Bundle, when set, must still name the post; its window moves to
	// Bundle.Until.
	Bundle *BundleCAS
	// DedupKey and GroupID are a joining draft's: its dedup key then names
	// this post, so a re-delivered milestone changes nothing.
	DedupKey string
	GroupID  string
	// Members are waiting posts folded into this one (expired, FoldedInto).
	Members []string

	Covers    []Cover
	Milestone string // the main milestone told
	Text      string
	Link      string
	Variant   string
	Priority  int
	NotAfter  time.Time // zero: none
	// Demote takes an approved post back to pending: the rewrite tells a
	// milestone no person and no rule approved.
	Demote bool

	Actor  string
	Action string // audit verb: "merge", "fold", "withdraw"
	Reason string
}

// Revise applies a rewrite to p, which must still be at p.Revision, waiting
// and unedited (ErrConflict, ErrWrongState, ErrEdited otherwise). It returns
// the post after the change; when the joining draft's dedup key was already
// taken (the milestone is told already, by p or another post), nothing is
// done and it returns that post with changed false.
func (s *Store) Revise(ctx context.Context, p Post, r Revision) (post Post, changed bool, err error) {
	if err := needActor(r.Actor); err != nil {
		return Post{}, false, err
	}
	if err := checkCovers(r.Covers); err != nil {
		return Post{}, false, err
	}
	if err := s.checkText(p.Network, r.Text); err != nil {
		return Post{}, false, err
	}
	if err := checkLink(r.Link); err != nil {
		return Post{}, false, err
	}
	// A rewrite keeps the post's own link (the same one: it may be out).
	if err := s.ownLink(ctx, p.ID, p.Kind, p.Network, &r.Text, &r.Link); err != nil {
		return Post{}, false, err
	}
	now := s.now()
	memberRoutes, err := s.routes(ctx, r.Members...)
	if err != nil {
		return Post{}, false, err
	}
	keys := append(s.k.scriptShared(), s.k.postBlock(p.ID, route{network: p.Network, campaignID: p.CampaignID})...)
	useBundle, ttl := "", ""
	fields := []any{"covers", encodeCovers(r.Covers), "milestone", r.Milestone, "text", r.Text, "link", r.Link,
		"variant", r.Variant, "priority", strconv.Itoa(r.Priority), "not_after", msString(r.NotAfter)}
	if r.Bundle != nil {
		keys = append(keys, s.k.bundle(r.Bundle.Bundle))
		useBundle, ttl = "1", r.Bundle.ttl(now)
		fields = append(fields, "open_until", msString(r.Bundle.Until))
	}
	useDedup := ""
	if r.DedupKey != "" {
		keys = append(keys, s.k.dedup(p.Network, r.DedupKey))
		useDedup = "1"
	}
	for i, m := range r.Members {
		keys = append(keys, s.k.postBlock(m, memberRoutes[i])...)
	}
	// The indexes the post joins, by its creation time.
	if r.GroupID != "" {
		keys = append(keys, s.k.group(r.GroupID))
	}
	for _, c := range otherCampaigns(p.CampaignID, r.Covers) {
		keys = append(keys, s.k.campaign(c))
	}
	demote := ""
	if r.Demote {
		demote = string(StatePending)
	}
	args := []any{p.ID, strconv.Itoa(p.Revision), msString(now), stamp(now), r.Actor, r.Action, r.Reason,
		useBundle, ttl, useDedup, demote, strings.Join(r.Members, " ")}
	args = append(args, fields...)
	res, err := reviseScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return Post{}, false, bundleError(r.Action, p.ID, err)
	}
	n, _ := res[0].(int64)
	id, _ := res[1].(string)
	got, err := s.Get(ctx, id)
	return got, n == 1, err
}

// bundleError maps the bundle scripts' errors; the rest go through
// scriptError.
func bundleError(action, id string, err error) error {
	var rerr redis.Error
	if errors.As(err, &rerr) {
		code, detail, _ := strings.Cut(strings.TrimPrefix(err.Error(), "ERR "), " ")
		switch code {
		case "FANFARE_CONFLICT":
			return fmt.Errorf("content: cannot %s post %s: %w", action, id, ErrConflict)
		case "FANFARE_EDITED":
			return fmt.Errorf("content: cannot %s post %s: %s edited it: %w", action, id, detail, ErrEdited)
		case "FANFARE_MOVED":
			return &MovedError{PostID: detail, err: fmt.Errorf("content: cannot %s post %s: post %s: %w", action, id, detail, ErrMemberMoved)}
		}
	}
	return scriptError(id, action, "", err)
}

// checkCovers refuses covers whose ids would break the stored form.
func checkCovers(cs []Cover) error {
	for i, c := range cs {
		if c.CampaignID == "" || c.Milestone == "" || strings.ContainsAny(c.CampaignID+c.Milestone, "{} \t\r\n") {
			return &FieldError{Field: fmt.Sprintf("covers[%d]", i), Message: "needs a campaign id and a milestone without spaces or braces"}
		}
	}
	return nil
}

// otherCampaigns lists the campaigns of covers besides own, once each: a
// digest shows in each campaign's listing.
func otherCampaigns(own string, cs []Cover) []string {
	var out []string
	for _, c := range cs {
		if c.CampaignID != own && !slices.Contains(out, c.CampaignID) {
			out = append(out, c.CampaignID)
		}
	}
	return out
}

// Waiting returns a network's posts still waiting to go out (pending, and
// approved with or without a slot), by priority then age: what the fold
// planner weighs against the network's capacity.
func (s *Store) Waiting(ctx context.Context, network string) ([]Post, error) {
	pipe := s.rdb.Pipeline()
	pending := pipe.ZRange(ctx, s.k.stateNetwork(StatePending, network), 0, -1)
	approved := pipe.ZRange(ctx, s.k.stateNetwork(StateApproved, network), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("content: unable to list waiting posts: %w", err)
	}
	posts, err := s.load(ctx, append(pending.Val(), approved.Val()...))
	if err != nil {
		return nil, err
	}
	sortForSlots(posts)
	return posts, nil
}
