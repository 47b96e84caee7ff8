package campaigns

import (
	"fmt"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// keys builds every Redis key of the package, here only: scripts receive
// every key they touch in KEYS. All start with the hash tag "{prefix}:", so
// the keyspace sits in one Cluster slot and one script may touch any of them.
//
//	{p}:campaign:<id>        hash: j (snapshot JSON), m (meta, see meta.go)
//	{p}:fired:<id>           hash: milestone -> "<unix ms>|posted" or "<unix ms>|silent"
//	{p}:history:<id>         zset: "<unix ms>:<pledged>:<backers>" scored by unix ms,
//	                         the last snapshot of each past hour
//	{p}:campaigns:live       zset: id by deadline (unix ms)
//	{p}:campaigns:ended      zset: id by expiry of its keys (unix ms)
//	{p}:campaigns:<state>    zset: the same, per ended state (successful, failed, canceled);
//	                         closed for StateEnded, whose name is taken by the key above
//	{p}:sources              set: names of the campaign sources that reported a run
//	{p}:source:<name>        hash: a source's health (see health.go)
//	{p}:campaigns:urls       hash: normalized URL -> id
//	{p}:events               stream of posted milestone events (fields id, event)
//	{p}:events:dead          stream of malformed entries taken off {p}:events
type keys struct{ base string }

func newKeys(prefix string) (keys, error) {
	if err := keyspace.Check(prefix); err != nil {
		return keys{}, fmt.Errorf("campaigns: %w", err)
	}
	return keys{base: keyspace.Base(prefix)}, nil
}

func (k keys) campaign(id string) string { return k.base + "campaign:" + id }
func (k keys) fired(id string) string    { return k.base + "fired:" + id }
func (k keys) history(id string) string  { return k.base + "history:" + id }
func (k keys) live() string              { return k.base + "campaigns:live" }
func (k keys) ended() string             { return k.base + "campaigns:ended" }
func (k keys) state(s State) string {
	if s == StateEnded {
		return k.base + "campaigns:closed"
	}
	return k.base + "campaigns:" + string(s)
}
func (k keys) sources() string           { return k.base + "sources" }
func (k keys) source(name string) string { return k.base + "source:" + name }
func (k keys) urls() string              { return k.base + "campaigns:urls" }
func (k keys) events() string            { return k.base + "events" }
func (k keys) dead() string              { return k.base + "events:dead" }
