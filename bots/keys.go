package bots

import "github.com/fanfarehq/fanfare/internal/keyspace"

// keys builds the bots' Redis keys. Every key starts with the hash tag
// "{<prefix>}:" so the whole keyspace lives in one Cluster slot. The post queue's
// keys belong to package content.
type keys struct {
	base string // "{fanfare}:"
}

func newKeys(prefix string) keys { return keys{base: keyspace.Base(prefix)} }

// paused is a hash {reason, since (unix ms)} present while a network is paused.
func (k keys) paused(network string) string { return k.base + "bots:paused:" + network }

// heldUntil is a string (unix ms) present while a network's rate limit says wait.
func (k keys) heldUntil(network string) string { return k.base + "bots:held:" + network }

// engagement is a post's engagement series, newest first, capped.
func (k keys) engagement(postID string) string { return k.base + "bots:engagement:" + postID }

// engagementFetched is a zset of post ids scored by their last metrics fetch.
func (k keys) engagementFetched() string { return k.base + "bots:engagement:fetched" }

// reconcileLooks is a hash {tries, next (unix ms)}: how many times reconcile
// looked for a post and when it may look again; it expires once reconcile has
// given up on the post anyway.
func (k keys) reconcileLooks(postID string) string { return k.base + "bots:reconcile_looks:" + postID }

// reconcileFound is a zset of a network's post ids that reconcile attributed to
// one of our unknown posts, scored by when: one network post never settles two
// of ours.
func (k keys) reconcileFound(network string) string { return k.base + "bots:reconciled:" + network }
