package campaigns

import "github.com/redis/go-redis/v9"

// ingestScript stores many snapshots and records their milestones. Each
// snapshot is a compare-and-set on the campaign's meta: it is written only if
// the stored meta is the one its milestones were computed from, and the
// caller only asks for a write whose version is newer than that meta's, so a
// match also proves the snapshot is not stale. Since every write changes the
// meta, a matching meta proves the fired set is still the one the rules saw,
// and the side writes the caller asks for (history sample, URL index, live
// set, end of life) are the right ones: the caller sends only those that
// change something, most updates need none. Posted milestones are still set
// with HSETNX, and each one set is added to the event stream in the same
// step, so "fired" and "event queued" cannot be separated by a crash. Silent
// milestones go in one HSET.
//
// Every key the script touches is in KEYS: the shared keys, then three per
// campaign, in ARGV order.
//
//	KEYS[1] {p}:campaigns:live     KEYS[5] {p}:campaigns:successful
//	KEYS[2] {p}:campaigns:ended    KEYS[6] {p}:campaigns:failed
//	KEYS[3] {p}:events             KEYS[7] {p}:campaigns:canceled
//	KEYS[4] {p}:campaigns:urls     KEYS[8] {p}:campaigns:closed (state ended)
//	KEYS[6+3i..8+3i] for the i-th campaign (from 1): {p}:campaign:<id>,
//	{p}:fired:<id>, {p}:history:<id>
//
//	ARGV[1] now (unix ms)          ARGV[4] history cutoff (unix ms): older samples go
//	ARGV[2] ended TTL (seconds)    ARGV[5] expiry of ended keys (unix ms)
//	ARGV[3] stream MAXLEN (~)      ARGV[6] number of campaigns
//	then per campaign 5 values: id, expected meta ("" when never seen), new
//	meta, snapshot JSON, ops; then the values of the ops, in their order.
//	ops is one letter per write to do besides the snapshot, in this order:
//	  p milestone head tail   post a milestone (HSETNX, XADD if it was not set);
//	                          the event's JSON is head .. snapshot JSON .. tail
//	  s k milestone*k         record k milestones silently
//	  h score member          add a history sample, trim the old ones
//	  u url                   index the normalized URL
//	  l deadline              (re)place in the live set
//	  r prev-state            live again after an end: undo it
//	  e state prev-state      ended (or still ended): leave the live set, renew TTLs
//
// An unknown op (a bug of the caller) fails the call, leaving the snapshots
// before it written: the caller, which caches nothing of a failed call, finds
// them changed under it next time and re-evaluates them.
//
// Returns one reply per campaign: "o" followed by one "1"/"0" per posted
// milestone (fired now / already there) when written, else {stored meta or
// false, {fired milestone, ...}}: the caller tells stale from conflict by the
// stored version.
var ingestScript = redis.NewScript(`
local now, ttl, maxlen, cutoff, expiry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local n = tonumber(ARGV[6])
local stateKeys = {successful = KEYS[5], failed = KEYS[6], canceled = KEYS[7], ended = KEYS[8]}
for _, k in ipairs({KEYS[2], KEYS[5], KEYS[6], KEYS[7], KEYS[8]}) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
end
local posted, silent = now .. '|posted', now .. '|silent'
local out = {}
local a = 7
for i = 1, n do
  local id, expected, m, json, ops = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  a = a + 5
  local kc, kf, kh = KEYS[6 + 3 * i], KEYS[7 + 3 * i], KEYS[8 + 3 * i]
  local cur = redis.call('HGET', kc, 'm')
  if (cur or '') ~= expected then
    out[i] = {cur or false, redis.call('HKEYS', kf)}
  else
    redis.call('HSET', kc, 'm', m, 'j', json)
    out[i] = 'o'
  end
  if ops ~= '' then
    local write = out[i] == 'o'
    local flags = {'o'}
    for j = 1, #ops do
      local op = string.sub(ops, j, j)
      if op == 'p' then
        if write then
          if redis.call('HSETNX', kf, ARGV[a], posted) == 1 then
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'id', id .. '/' .. ARGV[a], 'event', ARGV[a + 1] .. json .. ARGV[a + 2])
            flags[#flags + 1] = '1'
          else
            flags[#flags + 1] = '0'
          end
        end
        a = a + 3
      elseif op == 's' then
        local k = tonumber(ARGV[a])
        if write then
          local args = {}
          for x = 1, k do
            args[2 * x - 1] = ARGV[a + x]
            args[2 * x] = silent
          end
          redis.call('HSET', kf, unpack(args))
        end
        a = a + 1 + k
      elseif op == 'h' then
        if write then
          redis.call('ZADD', kh, ARGV[a], ARGV[a + 1])
          redis.call('ZREMRANGEBYSCORE', kh, '-inf', '(' .. cutoff)
        end
        a = a + 2
      elseif op == 'u' then
        if write then redis.call('HSET', KEYS[4], ARGV[a], id) end
        a = a + 1
      elseif op == 'l' then
        if write then redis.call('ZADD', KEYS[1], ARGV[a], id) end
        a = a + 1
      elseif op == 'r' then
        if write then
          local prev = ARGV[a]
          redis.call('ZREM', KEYS[2], id)
          if stateKeys[prev] then redis.call('ZREM', stateKeys[prev], id) end
          redis.call('PERSIST', kc)
          redis.call('PERSIST', kf)
          redis.call('PERSIST', kh)
        end
        a = a + 1
      elseif op == 'e' then
        if write then
          local life, prev = ARGV[a], ARGV[a + 1]
          redis.call('ZREM', KEYS[1], id)
          if prev ~= life and stateKeys[prev] then redis.call('ZREM', stateKeys[prev], id) end
          redis.call('ZADD', KEYS[2], expiry, id)
          redis.call('ZADD', stateKeys[life], expiry, id)
          redis.call('EXPIRE', kc, ttl)
          redis.call('EXPIRE', kf, ttl)
          redis.call('EXPIRE', kh, ttl)
        end
        a = a + 2
      else
        return redis.error_reply('ingest: unknown op ' .. op)
      end
    end
    if write then out[i] = table.concat(flags) end
  end
end
return out
`)

// unindexURLScript drops a stale URL index entry unless an ingest has pointed
// it at another campaign meanwhile.
//
//	KEYS[1] {p}:campaigns:urls
//	ARGV[1] normalized URL, ARGV[2] the id found stale
var unindexURLScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
`)
