package content

import "github.com/fanfarehq/fanfare/internal/keyspace"

// Every key of the queue starts with the hash tag "{<prefix>}:", so the whole
// keyspace lives in one Cluster slot and a Lua script may touch any key. The Lua
// scripts build index keys from the same base (ARGV "base"), so the names below
// and the ones in scripts.go must change together.

// keys builds the queue's Redis keys for one prefix.
type keys struct {
	base string // "{fanfare}:"
}

func newKeys(prefix string) keys { return keys{base: keyspace.Base(prefix)} }

// post is the hash holding one post's fields.
func (k keys) post(id string) string { return k.base + "post:" + id }

// audit is the list of one post's changes, oldest first.
func (k keys) audit(id string) string { return k.base + "post:" + id + ":audit" }

// dedup maps a producer's dedup key to the post made from it, per network.
func (k keys) dedup(network, dedupKey string) string {
	return k.base + "post:dedup:" + network + ":" + dedupKey
}

// all indexes every post by creation time.
func (k keys) all() string { return k.base + "posts:all" }

// state indexes the posts in one state by the time they entered it.
func (k keys) state(s State) string { return k.base + "posts:state:" + string(s) }

// stateNetwork is state() narrowed to one network (the dashboard's usual view).
func (k keys) stateNetwork(s State, network string) string {
	return k.base + "posts:state:" + string(s) + ":" + network
}

// network, campaign and group index posts by creation time.
func (k keys) network(n string) string  { return k.base + "posts:network:" + n }
func (k keys) campaign(c string) string { return k.base + "posts:campaign:" + c }
func (k keys) group(g string) string    { return k.base + "posts:group:" + g }

// scheduled holds a network's approved posts that have a slot, scored by it.
func (k keys) scheduled(network string) string { return k.base + "posts:scheduled:" + network }

// unscheduled holds a network's approved posts waiting for a slot, by creation.
func (k keys) unscheduled(network string) string { return k.base + "posts:unscheduled:" + network }

// leases holds publishing posts scored by lease expiry.
func (k keys) leases() string { return k.base + "posts:leases" }

// notAfter holds pending and approved posts scored by their not_after.
func (k keys) notAfter() string { return k.base + "posts:not_after" }

// slots holds the times a network's slots are used (approved with a slot,
// publishing, unknown: by slot; published: by publish time). The scheduler
// reads it so that every replica sees the same calendar.
func (k keys) slots(network string) string { return k.base + "slots:" + network }

// campaignSlots is slots() narrowed to one campaign, for campaign spacing.
func (k keys) campaignSlots(network, campaignID string) string {
	return k.base + "slots:" + network + ":campaign:" + campaignID
}

// auditLog is the global, capped list of changes, newest first.
func (k keys) auditLog() string { return k.base + "audit" }

// bundle holds the id of a bundle's open post (see Bundle).
func (k keys) bundle(b Bundle) string { return k.base + "bundle:" + b.name }
