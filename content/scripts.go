package content

import (
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// auditCap bounds the global audit log; each post keeps its own full trail.
const auditCap = 10000

// campaignSlotsKeep is how long a campaign's slot set outlives its latest
// slot: longer than any spacing window the scheduler reads back.
const campaignSlotsKeep = 30 * 24 * time.Hour

// luaLib is shared by the scripts below. Every key a script touches comes in
// KEYS, read in order with key(): first the queue-wide keys (shared(): see
// keys.scriptShared), then one block per post (block(): see keys.postBlock),
// then what the script lists. reindex puts a post in the indexes its fields
// call for (every index is derived from the hash, so a script changes fields
// first and reindexes after); audit appends one change to the post's trail
// and to the global log.
var luaLib = `
local function nz(v) if v == false or v == nil then return '' end return v end

local nextKey = 0
local function key()
  nextKey = nextKey + 1
  local k = KEYS[nextKey]
  if not k then error('fanfare: script expects more than ' .. #KEYS .. ' keys') end
  return k
end

local function rest()
  local out = {}
  while nextKey < #KEYS do out[#out + 1] = key() end
  return out
end

local function shared() return {leases = key(), notAfter = key(), auditLog = key()} end

local STATES = {` + luaStates() + `}

local function block()
  local b = {post = key(), audit = key(), sched = key(), unsched = key(), slots = key(),
    campSlots = key(), state = {}, stateNet = {}}
  for _, s in ipairs(STATES) do
    b.state[s] = key()
    b.stateNet[s] = key()
  end
  return b
end

local function stateKeys(b, s)
  if not b.state[s] then error('fanfare: unknown post state ' .. s) end
  return b.state[s], b.stateNet[s]
end

local function reindex(g, b, id, from, now)
  local f = redis.call('HMGET', b.post, 'state', 'campaign_id',
    'scheduled_at', 'published_at', 'not_after', 'lease_until', 'created_at')
  local state, camp = nz(f[1]), nz(f[2])
  local sched, pub, na, lease, created = nz(f[3]), nz(f[4]), nz(f[5]), nz(f[6]), nz(f[7])
  if from ~= state then
    if from ~= '' then
      local k, kn = stateKeys(b, from)
      redis.call('ZREM', k, id)
      redis.call('ZREM', kn, id)
    end
    local k, kn = stateKeys(b, state)
    redis.call('ZADD', k, now, id)
    redis.call('ZADD', kn, now, id)
  end
  if state == 'approved' and sched ~= '' then
    redis.call('ZADD', b.sched, sched, id)
    redis.call('ZREM', b.unsched, id)
  elseif state == 'approved' then
    redis.call('ZADD', b.unsched, created, id)
    redis.call('ZREM', b.sched, id)
  else
    redis.call('ZREM', b.sched, id)
    redis.call('ZREM', b.unsched, id)
  end
  if state == 'publishing' and lease ~= '' then
    redis.call('ZADD', g.leases, lease, id)
  else
    redis.call('ZREM', g.leases, id)
  end
  if (state == 'pending' or state == 'approved') and na ~= '' then
    redis.call('ZADD', g.notAfter, na, id)
  else
    redis.call('ZREM', g.notAfter, id)
  end
  local slot = ''
  if state == 'published' then
    slot = pub
    if slot == '' then slot = now end
  elseif state == 'approved' or state == 'publishing' or state == 'unknown' then
    slot = sched
  end
  if slot ~= '' then
    redis.call('ZADD', b.slots, slot, id)
    if camp ~= '' then redis.call('ZADD', b.campSlots, slot, id) end
  else
    redis.call('ZREM', b.slots, id)
    if camp ~= '' then redis.call('ZREM', b.campSlots, id) end
  end
  if camp ~= '' then
    -- A campaign's calendar is only read around its latest slot; once the
    -- campaign stops posting, the whole set goes a while after that slot.
    -- Relative to our clock, not Redis's, so that the two need not agree.
    local top = redis.call('ZRANGE', b.campSlots, -1, -1, 'WITHSCORES')
    if top[2] then
      local ahead = math.max(tonumber(top[2]) - tonumber(now), 0)
      redis.call('PEXPIRE', b.campSlots, ahead + ` + strconv.FormatInt(campaignSlotsKeep.Milliseconds(), 10) + `)
    end
  end
end

local function words(s)
  local out = {}
  for w in string.gmatch(s, '%S+') do out[#out + 1] = w end
  return out
end

-- setBundle makes a bundle key name its open post, with a time to live in
-- ms ("" none).
local function setBundle(key, id, ttl)
  if ttl ~= '' then redis.call('SET', key, id, 'PX', ttl) else redis.call('SET', key, id) end
end

local function audit(g, b, id, at, actor, action, from, to, reason)
  local line = cjson.encode({post_id = id, at = at, actor = actor, action = action,
    from = from, to = to, reason = reason})
  redis.call('RPUSH', b.audit, line)
  redis.call('LPUSH', g.auditLog, line)
  redis.call('LTRIM', g.auditLog, 0, ` + strconv.Itoa(auditCap-1) + `)
end

-- blocks reads one post block per id.
local function blocks(ids)
  local out = {}
  for i = 1, #ids do out[i] = block() end
  return out
end

-- checkMembers returns the id of the first member that is no longer waiting
-- (pending or approved), or a person edited; nil when all are.
local function checkMembers(members, ids)
  for i, m in ipairs(members) do
    local f = redis.call('HMGET', m.post, 'state', 'edited_by')
    if (f[1] ~= 'pending' and f[1] ~= 'approved') or nz(f[2]) ~= '' then return ids[i] end
  end
  return nil
end

-- foldMembers expires the members: the post into tells their milestones
-- instead of them.
local function foldMembers(g, members, ids, into, now, at, actor)
  local reason = 'folded into digest ' .. into
  for i, m in ipairs(members) do
    local id = ids[i]
    local cur = redis.call('HGET', m.post, 'state')
    redis.call('HSET', m.post, 'state', 'expired', 'updated_at', now, 'last_error', reason, 'folded_into', into)
    redis.call('HDEL', m.post, 'scheduled_at', 'slot_note')
    reindex(g, m, id, cur, now)
    audit(g, m, id, at, actor, 'fold', cur, 'expired', reason)
  end
end
`

// luaStates is States as a Lua list, the order of the state keys in a post
// block.
func luaStates() string {
	q := make([]string, len(States))
	for i, s := range States {
		q[i] = "'" + string(s) + "'"
	}
	return strings.Join(q, ", ")
}

func lua(body string) *redis.Script { return redis.NewScript(luaLib + body) }

// createScript stores a new post unless its dedup key is already taken, so that
// Create is idempotent and two producers racing on one draft make one post.
// With a bundle key, the new post becomes the bundle's open post (the one
// later milestones may join), but only if the bundle still names the post the
// caller read (compare-and-set); and the members, posts the new one tells
// instead (a digest's), are expired as folded into it, all or none.
//
// KEYS, in order: the dedup key; the shared keys (keys.scriptShared); the
// post's block (keys.postBlock); the bundle key (only when ARGV[6] is "1");
// one block per member, in ARGV[9] order; then the indexes the post joins,
// scored by its creation (all, network, its campaigns, its group).
// ARGV[1] post id, ARGV[2] now (unix ms), ARGV[3] now (RFC 3339, for the
// audit), ARGV[4] actor, ARGV[5] the auto-approve rule that matched ("" when
// none), ARGV[6] "1": there is a bundle key, ARGV[7] the post id the bundle
// must hold ("" absent), ARGV[8] the bundle key's time to live (ms, "" none),
// ARGV[9] member post ids (space separated), ARGV[10..] field/value pairs
// (empty values are not stored).
// Returns {1, id} when created, {0, existing id} when the dedup key was taken.
// Errors: FANFARE_CONFLICT (the bundle moved on), FANFARE_MOVED <member id>
// (a member is no longer waiting).
var createScript = lua(`
local id, now, at, actor, rule = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local dedup = key()
local g = shared()
local post = block()
local bundle = nil
if ARGV[6] == '1' then bundle = key() end
local ids = words(ARGV[9])
local members = blocks(ids)
local indexes = rest()
local existing = redis.call('GET', dedup)
if existing then return {0, existing} end
if bundle and nz(redis.call('GET', bundle)) ~= ARGV[7] then return redis.error_reply('FANFARE_CONFLICT') end
local moved = checkMembers(members, ids)
if moved then return redis.error_reply('FANFARE_MOVED ' .. moved) end
redis.call('SET', dedup, id)
for i = 10, #ARGV, 2 do
  if ARGV[i + 1] ~= '' then redis.call('HSET', post.post, ARGV[i], ARGV[i + 1]) end
end
for _, k in ipairs(indexes) do redis.call('ZADD', k, now, id) end
reindex(g, post, id, '', now)
audit(g, post, id, at, actor, 'create', '', 'pending', '')
if redis.call('HGET', post.post, 'state') == 'approved' then
  audit(g, post, id, at, 'system:auto-approve', 'approve', 'pending', 'approved', 'rule ' .. rule)
end
if bundle then setBundle(bundle, id, ARGV[8]) end
foldMembers(g, members, ids, id, now, at, actor)
return {1, id}
`)

// reviseScript rewrites a bundle (a merged or digest post still waiting):
// new text and covers when a milestone joins it, members fold into it, or a
// refund withdraws one of its milestones. It refuses a post that moved on
// (claimed, decided, edited by a person) or that another rewrite changed
// since the caller read it, so a rewrite computed from stale covers never
// lands. A joining draft's dedup key is taken for the post in the same step.
// A rewrite that brings the post's not_after before its slot takes the slot
// back (the scheduler places it again); one that needs a person's approval
// takes an approved post back to pending.
//
// KEYS, in order: the shared keys; the post's block; the bundle key (only
// when ARGV[8] is "1"); the dedup key (only when ARGV[10] is "1"); one block
// per member, in ARGV[12] order; then indexes the post joins, scored by its
// creation (a joining group, the campaigns its covers name).
// ARGV[1] post id, ARGV[2] the revision read, ARGV[3] now (unix ms),
// ARGV[4] now (RFC 3339), ARGV[5] actor, ARGV[6] action, ARGV[7] reason,
// ARGV[8] "1": check that the bundle key still names the post,
// ARGV[9] the bundle key's new time to live (ms, "" none),
// ARGV[10] "1": take the dedup key, ARGV[11] "pending": back to pending (""
// keeps the state), ARGV[12] member post ids (space separated),
// ARGV[13..] field/value pairs (an empty value deletes the field).
// Returns {1, id} when revised, {0, existing id} when the dedup key was
// already taken (a re-delivered milestone, told by this post or an earlier
// one: nothing to do).
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_CONFLICT,
// FANFARE_EDITED <person>, FANFARE_MOVED <member id>.
var reviseScript = lua(`
local id, now, at = ARGV[1], ARGV[3], ARGV[4]
local g = shared()
local post = block()
local hk = post.post
local bundle, dedup = nil, nil
if ARGV[8] == '1' then bundle = key() end
if ARGV[10] == '1' then dedup = key() end
local ids = words(ARGV[12])
local members = blocks(ids)
local indexes = rest()
local cur = redis.call('HGET', hk, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
if cur ~= 'pending' and cur ~= 'approved' then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
local rev = nz(redis.call('HGET', hk, 'rev'))
if rev == '' then rev = '0' end
if rev ~= ARGV[2] then return redis.error_reply('FANFARE_CONFLICT') end
local editor = nz(redis.call('HGET', hk, 'edited_by'))
if editor ~= '' then return redis.error_reply('FANFARE_EDITED ' .. editor) end
if bundle and nz(redis.call('GET', bundle)) ~= id then return redis.error_reply('FANFARE_CONFLICT') end
if dedup then
  local taken = redis.call('GET', dedup)
  if taken then return {0, taken} end
end
local moved = checkMembers(members, ids)
if moved then return redis.error_reply('FANFARE_MOVED ' .. moved) end
if dedup then redis.call('SET', dedup, id) end
for i = 13, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', hk, ARGV[i]) else redis.call('HSET', hk, ARGV[i], ARGV[i + 1]) end
end
redis.call('HINCRBY', hk, 'rev', 1)
local to = cur
if ARGV[11] == 'pending' then to = 'pending' end
local sched = tonumber(nz(redis.call('HGET', hk, 'scheduled_at')))
local na = tonumber(nz(redis.call('HGET', hk, 'not_after')))
if to == 'pending' or (sched and na and sched >= na) then
  redis.call('HDEL', hk, 'scheduled_at', 'slot_note')
end
redis.call('HSET', hk, 'state', to, 'updated_at', now)
local created = nz(redis.call('HGET', hk, 'created_at'))
for _, k in ipairs(indexes) do redis.call('ZADD', k, created, id) end
reindex(g, post, id, cur, now)
local from, into = '', ''
if to ~= cur then from, into = cur, to end
audit(g, post, id, at, ARGV[5], ARGV[6], from, into, ARGV[7])
if bundle then setBundle(bundle, id, ARGV[9]) end
foldMembers(g, members, ids, id, now, at, ARGV[5])
return {1, id}
`)

// transitionScript is the one way a post's state or fields change after
// creation: it checks that the current state allows the change (and the
// action's other conditions), sets fields, moves the indexes and appends the
// audit line, all atomically.
//
// KEYS: the shared keys (keys.scriptShared), then the post's block
// (keys.postBlock).
// ARGV[1] post id,
// ARGV[2] allowed current states, space separated,
// ARGV[3] new state ("" keeps the current one),
// ARGV[4] now (unix ms), ARGV[5] now (RFC 3339), ARGV[6] actor, ARGV[7] action,
// ARGV[8] reason,
// ARGV[9] attempt id the post must hold ("" no check),
// ARGV[10] the post's slot must be at or before this (unix ms; "" no check),
// ARGV[11] the post's not_after must be at or before this ("" no check),
// ARGV[12] the post's lease must have ended at or before this ("" no check),
// ARGV[13] "1": the post must have no slot,
// ARGV[14] "1": count one more publish attempt,
// ARGV[15] the post's slot must be after this (unix ms; "" no check),
// ARGV[16] the post's not_after, when it has one, must be after this (unix ms;
// "" no check),
// ARGV[17..] field/value pairs to set (an empty value deletes the field).
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_STALE <state>,
// FANFARE_NOTDUE, FANFARE_DUE, FANFARE_NOTEXPIRED, FANFARE_LEASED, FANFARE_SCHEDULED,
// FANFARE_EXPIRED <not_after>.
// Returns the post's hash after the change (HGETALL).
var transitionScript = lua(`
local id = ARGV[1]
local g = shared()
local post = block()
local hk = post.post
local cur = redis.call('HGET', hk, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
local allowed = false
for s in string.gmatch(ARGV[2], '%S+') do
  if s == cur then allowed = true end
end
if not allowed then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
if ARGV[9] ~= '' and nz(redis.call('HGET', hk, 'attempt_id')) ~= ARGV[9] then
  return redis.error_reply('FANFARE_STALE ' .. cur)
end
if ARGV[10] ~= '' then
  local s = tonumber(nz(redis.call('HGET', hk, 'scheduled_at')))
  if not s or s > tonumber(ARGV[10]) then return redis.error_reply('FANFARE_NOTDUE') end
end
if ARGV[11] ~= '' then
  local s = tonumber(nz(redis.call('HGET', hk, 'not_after')))
  if not s or s > tonumber(ARGV[11]) then return redis.error_reply('FANFARE_NOTEXPIRED') end
end
if ARGV[12] ~= '' then
  local s = tonumber(nz(redis.call('HGET', hk, 'lease_until')))
  if not s or s > tonumber(ARGV[12]) then return redis.error_reply('FANFARE_LEASED') end
end
if ARGV[13] == '1' and nz(redis.call('HGET', hk, 'scheduled_at')) ~= '' then
  return redis.error_reply('FANFARE_SCHEDULED')
end
if ARGV[15] ~= '' then
  local s = tonumber(nz(redis.call('HGET', hk, 'scheduled_at')))
  if not s or s <= tonumber(ARGV[15]) then return redis.error_reply('FANFARE_DUE') end
end
if ARGV[16] ~= '' then
  local na = tonumber(nz(redis.call('HGET', hk, 'not_after')))
  if na and na <= tonumber(ARGV[16]) then return redis.error_reply('FANFARE_EXPIRED ' .. na) end
end
local to = ARGV[3]
if to == '' then to = cur end
redis.call('HSET', hk, 'state', to, 'updated_at', ARGV[4])
if ARGV[14] == '1' then redis.call('HINCRBY', hk, 'attempts', 1) end
for i = 17, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', hk, ARGV[i])
  else
    redis.call('HSET', hk, ARGV[i], ARGV[i + 1])
  end
end
reindex(g, post, id, cur, ARGV[4])
local from = cur
if to == cur then from = '' ; to = '' end
audit(g, post, id, ARGV[5], ARGV[6], ARGV[7], from, to, ARGV[8])
return redis.call('HGETALL', hk)
`)

// reserveSlotScript gives an approved, unscheduled post its slot, refusing it
// when the slot no longer fits the network's calendar (another replica took a
// neighbouring slot since the caller read it): the check and the write are one
// step, so replicas planning at once never break spacing or the daily cap.
// With ARGV[13] "move" it is a person's move instead: the post may already
// have a slot, which the checks leave out (a post never crowds itself), a
// retry time does not bind (a person's slot overrides it), and the audit
// records an edit of scheduled_at, as Edit would.
//
// KEYS: the shared keys, then the post's block.
// ARGV[1] post id, ARGV[2] slot (unix ms), ARGV[3] slot note,
// ARGV[4] now (unix ms), ARGV[5] now (RFC 3339), ARGV[6] actor,
// ARGV[7] min spacing (ms, 0 none), ARGV[8] campaign spacing (ms, 0 none),
// ARGV[9] start and ARGV[10] end (unix ms, end excluded) of the slot's day,
// ARGV[11] daily cap (0 none),
// ARGV[12] the campaign's slots before this are forgotten (unix ms; "" none),
// ARGV[13] "move" for a person's move, "" for the scheduler's reservation.
// A post released after a failed attempt keeps a not_before field: the slot
// must not come before it, and taking a slot consumes it.
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_SCHEDULED,
// FANFARE_SLOTTAKEN <why>.
var reserveSlotScript = lua(`
local id = ARGV[1]
local g = shared()
local post = block()
local hk = post.post
local at = tonumber(ARGV[2])
local move = ARGV[13] == 'move'
local cur = redis.call('HGET', hk, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
if cur ~= 'approved' then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
if not move and nz(redis.call('HGET', hk, 'scheduled_at')) ~= '' then
  return redis.error_reply('FANFARE_SCHEDULED')
end
local nb = tonumber(nz(redis.call('HGET', hk, 'not_before')))
if not move and nb and at < nb then
  return redis.error_reply('FANFARE_SLOTTAKEN before the retry time ' .. nb)
end
-- others counts the slots of key from lo (excluded when open) to hi
-- (excluded), leaving out this post's own on a move.
local function others(key, lo, open, hi)
  local min = lo
  if open then min = '(' .. lo end
  local n = redis.call('ZCOUNT', key, min, '(' .. hi)
  local own = move and tonumber(nz(redis.call('ZSCORE', key, id)))
  if own and (own > tonumber(lo) or (not open and own == tonumber(lo))) and own < tonumber(hi) then
    n = n - 1
  end
  return n
end
local camp = nz(redis.call('HGET', hk, 'campaign_id'))
if camp ~= '' and ARGV[12] ~= '' then
  redis.call('ZREMRANGEBYSCORE', post.campSlots, '-inf', '(' .. ARGV[12])
end
local sp = tonumber(ARGV[7])
if sp > 0 and others(post.slots, at - sp, true, at + sp) > 0 then
  return redis.error_reply('FANFARE_SLOTTAKEN min spacing')
end
local csp = tonumber(ARGV[8])
if csp > 0 and camp ~= '' and others(post.campSlots, at - csp, true, at + csp) > 0 then
  return redis.error_reply('FANFARE_SLOTTAKEN campaign spacing')
end
local cap = tonumber(ARGV[11])
if cap > 0 and others(post.slots, ARGV[9], false, ARGV[10]) >= cap then
  return redis.error_reply('FANFARE_SLOTTAKEN daily cap')
end
redis.call('HSET', hk, 'scheduled_at', ARGV[2], 'slot_note', ARGV[3], 'updated_at', ARGV[4])
redis.call('HDEL', hk, 'not_before')
reindex(g, post, id, cur, ARGV[4])
if move then
  audit(g, post, id, ARGV[5], ARGV[6], 'edit', '', '', 'changed scheduled_at')
else
  audit(g, post, id, ARGV[5], ARGV[6], 'schedule', '', '', ARGV[3])
end
return redis.call('HGETALL', hk)
`)
