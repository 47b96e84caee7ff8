package impact

import "github.com/fanfarehq/fanfare/internal/keyspace"

// keys builds every Redis key of the package. All start with the hash tag
// "{prefix}:", so the keyspace sits in one Cluster slot.
//
//	{p}:impact:link:<code>          hash: p (post id), to (where the link leads)
//	{p}:impact:code:<post id>       string: the post's code
//	{p}:impact:clicks:<code>        hash: day (YYYY-MM-DD in the platform's zone) -> clicks
//	{p}:impact:visitors:<code>      HyperLogLog of the daily-salted visitor hashes, every day
//	{p}:impact:visitors:<code>:<day> the same for one day (kept visitorDays)
//	{p}:impact:salt:<day>           the day's random salt, forgotten two days later
//	{p}:impact:pledges:<post id>    hash: pledges, backers, amount:<currency>
//	{p}:impact:pledge:<pledge id>   string: the post a reported pledge was counted for
//	{p}:impact:pins                 hash: "<network>/<lang>/<family>" -> pinned variant
//	{p}:impact:lift:<post id>       string: a finished lift estimate (JSON)
type keys struct{ base string }

func newKeys(prefix string) keys { return keys{base: keyspace.Base(prefix) + "impact:"} }

func (k keys) link(code string) string     { return k.base + "link:" + code }
func (k keys) code(postID string) string   { return k.base + "code:" + postID }
func (k keys) clicks(code string) string   { return k.base + "clicks:" + code }
func (k keys) visitors(code string) string { return k.base + "visitors:" + code }
func (k keys) visitorsDay(code, day string) string {
	return k.base + "visitors:" + code + ":" + day
}
func (k keys) salt(day string) string        { return k.base + "salt:" + day }
func (k keys) pledges(postID string) string  { return k.base + "pledges:" + postID }
func (k keys) pledge(pledgeID string) string { return k.base + "pledge:" + pledgeID }
func (k keys) pins() string                  { return k.base + "pins" }
func (k keys) lift(postID string) string     { return k.base + "lift:" + postID }
