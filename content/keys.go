package content

import "github.com/fanfarehq/fanfare/internal/keyspace"

// Every key of the queue starts with the hash tag "{<prefix>}:", so the whole
// keyspace lives in one Cluster slot and one script may change a post and all
// its indexes. The names are built here only: the scripts receive every key
// they touch in KEYS (postBlock, scriptShared) and never build one.

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

// scriptShared lists the queue-wide keys every script receives first, in the
// order the scripts' shared() reads them.
func (k keys) scriptShared() []string { return []string{k.leases(), k.notAfter(), k.auditLog()} }

// route is what a post's index keys are built from: its network and campaign,
// both written once when the post is created and never changed.
type route struct{ network, campaignID string }

// postBlockLen is the number of keys postBlock returns.
var postBlockLen = 6 + 2*len(States)

// postBlock lists the keys a script may touch for one post, in the order the
// scripts' block() reads them: its hash and trail, its network's schedule
// and calendar, its campaign's calendar, then for every state (States order)
// the state index and its network narrowing. A post without a campaign gets
// the campaign calendar key of the empty id, which no script touches.
func (k keys) postBlock(id string, r route) []string {
	out := make([]string, 0, postBlockLen)
	out = append(out, k.post(id), k.audit(id), k.scheduled(r.network), k.unscheduled(r.network),
		k.slots(r.network), k.campaignSlots(r.network, r.campaignID))
	for _, s := range States {
		out = append(out, k.state(s), k.stateNetwork(s, r.network))
	}
	return out
}
