package content

import (
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// auditCap bounds the global audit log; each post keeps its own full trail.
const auditCap = 10000

// campaignSlotsKeep is how long a campaign's slot set outlives its latest
// slot: longer than any spacing window the scheduler reads back.
const campaignSlotsKeep = 30 * 24 * time.Hour

// luaLib is shared by the scripts below. reindex puts a post in the indexes its
// fields call for (every index is derived from the hash, so a script changes
// fields first and reindexes after); audit appends one change to the post's trail
// and to the global log. Index key names mirror keys.go.
var luaLib = `
local function nz(v) if v == false or v == nil then return '' end return v end

local function reindex(base, id, key, from, now)
  local f = redis.call('HMGET', key, 'state', 'network', 'campaign_id',
    'scheduled_at', 'published_at', 'not_after', 'lease_until', 'created_at')
  local state, net, camp = nz(f[1]), nz(f[2]), nz(f[3])
  local sched, pub, na, lease, created = nz(f[4]), nz(f[5]), nz(f[6]), nz(f[7]), nz(f[8])
  if from ~= state then
    if from ~= '' then
      redis.call('ZREM', base .. 'posts:state:' .. from, id)
      redis.call('ZREM', base .. 'posts:state:' .. from .. ':' .. net, id)
    end
    redis.call('ZADD', base .. 'posts:state:' .. state, now, id)
    redis.call('ZADD', base .. 'posts:state:' .. state .. ':' .. net, now, id)
  end
  local schedKey = base .. 'posts:scheduled:' .. net
  local unschedKey = base .. 'posts:unscheduled:' .. net
  if state == 'approved' and sched ~= '' then
    redis.call('ZADD', schedKey, sched, id)
    redis.call('ZREM', unschedKey, id)
  elseif state == 'approved' then
    redis.call('ZADD', unschedKey, created, id)
    redis.call('ZREM', schedKey, id)
  else
    redis.call('ZREM', schedKey, id)
    redis.call('ZREM', unschedKey, id)
  end
  if state == 'publishing' and lease ~= '' then
    redis.call('ZADD', base .. 'posts:leases', lease, id)
  else
    redis.call('ZREM', base .. 'posts:leases', id)
  end
  if (state == 'pending' or state == 'approved') and na ~= '' then
    redis.call('ZADD', base .. 'posts:not_after', na, id)
  else
    redis.call('ZREM', base .. 'posts:not_after', id)
  end
  local slot = ''
  if state == 'published' then
    slot = pub
    if slot == '' then slot = now end
  elseif state == 'approved' or state == 'publishing' or state == 'unknown' then
    slot = sched
  end
  local slotsKey = base .. 'slots:' .. net
  local campKey = base .. 'slots:' .. net .. ':campaign:' .. camp
  if slot ~= '' then
    redis.call('ZADD', slotsKey, slot, id)
    if camp ~= '' then redis.call('ZADD', campKey, slot, id) end
  else
    redis.call('ZREM', slotsKey, id)
    if camp ~= '' then redis.call('ZREM', campKey, id) end
  end
  if camp ~= '' then
    -- A campaign's calendar is only read around its latest slot; once the
    -- campaign stops posting, the whole set goes a while after that slot.
    -- Relative to our clock, not Redis's, so that the two need not agree.
    local top = redis.call('ZRANGE', campKey, -1, -1, 'WITHSCORES')
    if top[2] then
      local ahead = math.max(tonumber(top[2]) - tonumber(now), 0)
      redis.call('PEXPIRE', campKey, ahead + ` + strconv.FormatInt(campaignSlotsKeep.Milliseconds(), 10) + `)
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

local function audit(base, id, at, actor, action, from, to, reason)
  local line = cjson.encode({post_id = id, at = at, actor = actor, action = action,
    from = from, to = to, reason = reason})
  redis.call('RPUSH', base .. 'post:' .. id .. ':audit', line)
  redis.call('LPUSH', base .. 'audit', line)
  redis.call('LTRIM', base .. 'audit', 0, ` + strconv.Itoa(auditCap-1) + `)
end

-- checkMembers returns the id of the first member (KEYS[first..]) that is no
-- longer waiting (pending or approved), or a person edited; nil when all are.
local function checkMembers(first, ids)
  for i = first, #KEYS do
    local f = redis.call('HMGET', KEYS[i], 'state', 'edited_by')
    if (f[1] ~= 'pending' and f[1] ~= 'approved') or nz(f[2]) ~= '' then return ids[i - first + 1] end
  end
  return nil
end

-- foldMembers expires the members (KEYS[first..]): the post into tells
-- their milestones instead of them.
local function foldMembers(base, first, ids, into, now, at, actor)
  local reason = 'folded into digest ' .. into
  for i = first, #KEYS do
    local id, key = ids[i - first + 1], KEYS[i]
    local cur = redis.call('HGET', key, 'state')
    redis.call('HSET', key, 'state', 'expired', 'updated_at', now, 'last_error', reason, 'folded_into', into)
    redis.call('HDEL', key, 'scheduled_at', 'slot_note')
    reindex(base, id, key, cur, now)
    audit(base, id, at, actor, 'fold', cur, 'expired', reason)
  end
end
`

func lua(body string) *redis.Script { return redis.NewScript(luaLib + body) }

// createScript stores a new post unless its dedup key is already taken, so that
// Create is idempotent and two producers racing on one draft make one post.
// With a bundle key, the new post becomes the bundle's open post (the one
// later milestones may join), but only if the bundle still names the post the
// caller read (compare-and-set); and the members, posts the new one tells
// instead (a digest's), are expired as folded into it, all or none.
//
// KEYS[1] dedup key, KEYS[2] post hash, KEYS[3] bundle key (only when
// ARGV[7] is "1"), KEYS[4..] member post hashes
// ARGV[1] key base "{prefix}:", ARGV[2] post id, ARGV[3] now (unix ms),
// ARGV[4] now (RFC 3339, for the audit), ARGV[5] actor, ARGV[6] the auto-approve
// rule that matched ("" when none), ARGV[7] "1": KEYS[3] is a bundle key,
// ARGV[8] the post id the bundle must hold ("" absent), ARGV[9] the bundle
// key's time to live (ms, "" none), ARGV[10] campaign ids to index the post under
// besides its own (space separated), ARGV[11] member post ids (space
// separated, in KEYS order), ARGV[12..] field/value pairs (empty values are
// not stored).
// Returns {1, id} when created, {0, existing id} when the dedup key was taken.
// Errors: FANFARE_CONFLICT (the bundle moved on), FANFARE_MOVED <member id>
// (a member is no longer waiting).
var createScript = lua(`
local base, id, now, at, actor, rule = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local first = 3
if ARGV[7] == '1' then
  first = 4
  if nz(redis.call('GET', KEYS[3])) ~= ARGV[8] then return redis.error_reply('FANFARE_CONFLICT') end
end
local members = words(ARGV[11])
local moved = checkMembers(first, members)
if moved then return redis.error_reply('FANFARE_MOVED ' .. moved) end
redis.call('SET', KEYS[1], id)
for i = 12, #ARGV, 2 do
  if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
local f = redis.call('HMGET', KEYS[2], 'network', 'campaign_id', 'group_id', 'state')
redis.call('ZADD', base .. 'posts:all', now, id)
redis.call('ZADD', base .. 'posts:network:' .. f[1], now, id)
if f[2] then redis.call('ZADD', base .. 'posts:campaign:' .. f[2], now, id) end
for _, c in ipairs(words(ARGV[10])) do redis.call('ZADD', base .. 'posts:campaign:' .. c, now, id) end
if f[3] then redis.call('ZADD', base .. 'posts:group:' .. f[3], now, id) end
reindex(base, id, KEYS[2], '', now)
audit(base, id, at, actor, 'create', '', 'pending', '')
if f[4] == 'approved' then
  audit(base, id, at, 'system:auto-approve', 'approve', 'pending', 'approved', 'rule ' .. rule)
end
if ARGV[7] == '1' then setBundle(KEYS[3], id, ARGV[9]) end
foldMembers(base, first, members, id, now, at, actor)
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
// KEYS[1] post hash, KEYS[2] bundle key (only when ARGV[9] is "1"),
// KEYS[3] dedup key (only when ARGV[11] is "1"), KEYS[4..] member post hashes
// ARGV[1] key base, ARGV[2] post id, ARGV[3] the revision read,
// ARGV[4] now (unix ms), ARGV[5] now (RFC 3339), ARGV[6] actor, ARGV[7] action,
// ARGV[8] reason, ARGV[9] "1": check that KEYS[2] still names the post,
// ARGV[10] the bundle key's new time to live (ms, "" none),
// ARGV[11] "1": take the dedup key KEYS[3], ARGV[12] a group id to index the
// post under ("" none), ARGV[13] campaign ids to index it under (space
// separated), ARGV[14] "pending": back to pending ("" keeps the state),
// ARGV[15] member post ids (space separated, in KEYS order),
// ARGV[16..] field/value pairs (an empty value deletes the field).
// Returns {1, id} when revised, {0, existing id} when the dedup key was
// already taken (a re-delivered milestone, told by this post or an earlier
// one: nothing to do).
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_CONFLICT,
// FANFARE_EDITED <person>, FANFARE_MOVED <member id>.
var reviseScript = lua(`
local key, base, id, now, at = KEYS[1], ARGV[1], ARGV[2], ARGV[4], ARGV[5]
local cur = redis.call('HGET', key, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
if cur ~= 'pending' and cur ~= 'approved' then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
local rev = nz(redis.call('HGET', key, 'rev'))
if rev == '' then rev = '0' end
if rev ~= ARGV[3] then return redis.error_reply('FANFARE_CONFLICT') end
local editor = nz(redis.call('HGET', key, 'edited_by'))
if editor ~= '' then return redis.error_reply('FANFARE_EDITED ' .. editor) end
local k = 1
local bundle, dedup = nil, nil
if ARGV[9] == '1' then
  k = k + 1
  bundle = KEYS[k]
  if nz(redis.call('GET', bundle)) ~= id then return redis.error_reply('FANFARE_CONFLICT') end
end
if ARGV[11] == '1' then
  k = k + 1
  dedup = KEYS[k]
  local taken = redis.call('GET', dedup)
  if taken then return {0, taken} end
end
local first = k + 1
local members = words(ARGV[15])
local moved = checkMembers(first, members)
if moved then return redis.error_reply('FANFARE_MOVED ' .. moved) end
if dedup then redis.call('SET', dedup, id) end
for i = 16, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', key, ARGV[i]) else redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
end
redis.call('HINCRBY', key, 'rev', 1)
local to = cur
if ARGV[14] == 'pending' then to = 'pending' end
local sched = tonumber(nz(redis.call('HGET', key, 'scheduled_at')))
local na = tonumber(nz(redis.call('HGET', key, 'not_after')))
if to == 'pending' or (sched and na and sched >= na) then
  redis.call('HDEL', key, 'scheduled_at', 'slot_note')
end
redis.call('HSET', key, 'state', to, 'updated_at', now)
local created = nz(redis.call('HGET', key, 'created_at'))
if ARGV[12] ~= '' then redis.call('ZADD', base .. 'posts:group:' .. ARGV[12], created, id) end
for _, c in ipairs(words(ARGV[13])) do redis.call('ZADD', base .. 'posts:campaign:' .. c, created, id) end
reindex(base, id, key, cur, now)
local from, into = '', ''
if to ~= cur then from, into = cur, to end
audit(base, id, at, ARGV[6], ARGV[7], from, into, ARGV[8])
if bundle then setBundle(bundle, id, ARGV[10]) end
foldMembers(base, first, members, id, now, at, ARGV[6])
return {1, id}
`)

// transitionScript is the one way a post's state or fields change after
// creation: it checks that the current state allows the change (and the
// action's other conditions), sets fields, moves the indexes and appends the
// audit line, all atomically.
//
// KEYS[1] post hash
// ARGV[1] key base, ARGV[2] post id,
// ARGV[3] allowed current states, space separated,
// ARGV[4] new state ("" keeps the current one),
// ARGV[5] now (unix ms), ARGV[6] now (RFC 3339), ARGV[7] actor, ARGV[8] action,
// ARGV[9] reason,
// ARGV[10] attempt id the post must hold ("" no check),
// ARGV[11] the post's slot must be at or before this (unix ms; "" no check),
// ARGV[12] the post's not_after must be at or before this ("" no check),
// ARGV[13] the post's lease must have ended at or before this ("" no check),
// ARGV[14] "1": the post must have no slot,
// ARGV[15] "1": count one more publish attempt,
// ARGV[16] the post's slot must be after this (unix ms; "" no check),
// ARGV[17] the post's not_after, when it has one, must be after this (unix ms;
// "" no check),
// ARGV[18..] field/value pairs to set (an empty value deletes the field).
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_STALE <state>,
// FANFARE_NOTDUE, FANFARE_DUE, FANFARE_NOTEXPIRED, FANFARE_LEASED, FANFARE_SCHEDULED,
// FANFARE_EXPIRED <not_after>.
// Returns the post's hash after the change (HGETALL).
var transitionScript = lua(`
local key, base, id = KEYS[1], ARGV[1], ARGV[2]
local cur = redis.call('HGET', key, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
local allowed = false
for s in string.gmatch(ARGV[3], '%S+') do
  if s == cur then allowed = true end
end
if not allowed then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
if ARGV[10] ~= '' and nz(redis.call('HGET', key, 'attempt_id')) ~= ARGV[10] then
  return redis.error_reply('FANFARE_STALE ' .. cur)
end
if ARGV[11] ~= '' then
  local s = tonumber(nz(redis.call('HGET', key, 'scheduled_at')))
  if not s or s > tonumber(ARGV[11]) then return redis.error_reply('FANFARE_NOTDUE') end
end
if ARGV[12] ~= '' then
  local s = tonumber(nz(redis.call('HGET', key, 'not_after')))
  if not s or s > tonumber(ARGV[12]) then return redis.error_reply('FANFARE_NOTEXPIRED') end
end
if ARGV[13] ~= '' then
  local s = tonumber(nz(redis.call('HGET', key, 'lease_until')))
  if not s or s > tonumber(ARGV[13]) then return redis.error_reply('FANFARE_LEASED') end
end
if ARGV[14] == '1' and nz(redis.call('HGET', key, 'scheduled_at')) ~= '' then
  return redis.error_reply('FANFARE_SCHEDULED')
end
if ARGV[16] ~= '' then
  local s = tonumber(nz(redis.call('HGET', key, 'scheduled_at')))
  if not s or s <= tonumber(ARGV[16]) then return redis.error_reply('FANFARE_DUE') end
end
if ARGV[17] ~= '' then
  local na = tonumber(nz(redis.call('HGET', key, 'not_after')))
  if na and na <= tonumber(ARGV[17]) then return redis.error_reply('FANFARE_EXPIRED ' .. na) end
end
local to = ARGV[4]
if to == '' then to = cur end
redis.call('HSET', key, 'state', to, 'updated_at', ARGV[5])
if ARGV[15] == '1' then redis.call('HINCRBY', key, 'attempts', 1) end
for i = 18, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', key, ARGV[i])
  else
    redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  end
end
reindex(base, id, key, cur, ARGV[5])
local from = cur
if to == cur then from = '' ; to = '' end
audit(base, id, ARGV[6], ARGV[7], ARGV[8], from, to, ARGV[9])
return redis.call('HGETALL', key)
`)

// reserveSlotScript gives an approved, unscheduled post its slot, refusing it
// when the slot no longer fits the network's calendar (another replica took a
// neighbouring slot since the caller read it): the check and the write are one
// step, so replicas planning at once never break spacing or the daily cap.
//
// KEYS[1] post hash
// ARGV[1] key base, ARGV[2] post id, ARGV[3] slot (unix ms), ARGV[4] slot note,
// ARGV[5] now (unix ms), ARGV[6] now (RFC 3339), ARGV[7] actor,
// ARGV[8] min spacing (ms, 0 none), ARGV[9] campaign spacing (ms, 0 none),
// ARGV[10] start and ARGV[11] end (unix ms, end excluded) of the slot's day,
// ARGV[12] daily cap (0 none),
// ARGV[13] the campaign's slots before this are forgotten (unix ms; "" none).
// A post released after a failed attempt keeps a not_before field: the slot
// must not come before it, and taking a slot consumes it.
// Errors: FANFARE_NOTFOUND, FANFARE_WRONGSTATE <state>, FANFARE_SCHEDULED,
// FANFARE_SLOTTAKEN <why>.
var reserveSlotScript = lua(`
local key, base, id = KEYS[1], ARGV[1], ARGV[2]
local at = tonumber(ARGV[3])
local cur = redis.call('HGET', key, 'state')
if not cur then return redis.error_reply('FANFARE_NOTFOUND') end
if cur ~= 'approved' then return redis.error_reply('FANFARE_WRONGSTATE ' .. cur) end
if nz(redis.call('HGET', key, 'scheduled_at')) ~= '' then
  return redis.error_reply('FANFARE_SCHEDULED')
end
local nb = tonumber(nz(redis.call('HGET', key, 'not_before')))
if nb and at < nb then
  return redis.error_reply('FANFARE_SLOTTAKEN before the retry time ' .. nb)
end
local net = nz(redis.call('HGET', key, 'network'))
local camp = nz(redis.call('HGET', key, 'campaign_id'))
local slotsKey = base .. 'slots:' .. net
if camp ~= '' and ARGV[13] ~= '' then
  redis.call('ZREMRANGEBYSCORE', slotsKey .. ':campaign:' .. camp, '-inf', '(' .. ARGV[13])
end
local sp = tonumber(ARGV[8])
if sp > 0 and redis.call('ZCOUNT', slotsKey, '(' .. (at - sp), '(' .. (at + sp)) > 0 then
  return redis.error_reply('FANFARE_SLOTTAKEN min spacing')
end
local csp = tonumber(ARGV[9])
if csp > 0 and camp ~= '' and redis.call('ZCOUNT', slotsKey .. ':campaign:' .. camp,
    '(' .. (at - csp), '(' .. (at + csp)) > 0 then
  return redis.error_reply('FANFARE_SLOTTAKEN campaign spacing')
end
local cap = tonumber(ARGV[12])
if cap > 0 and redis.call('ZCOUNT', slotsKey, ARGV[10], '(' .. ARGV[11]) >= cap then
  return redis.error_reply('FANFARE_SLOTTAKEN daily cap')
end
redis.call('HSET', key, 'scheduled_at', ARGV[3], 'slot_note', ARGV[4], 'updated_at', ARGV[5])
redis.call('HDEL', key, 'not_before')
reindex(base, id, key, cur, ARGV[5])
audit(base, id, ARGV[6], ARGV[7], 'schedule', '', '', ARGV[4])
return redis.call('HGETALL', key)
`)
