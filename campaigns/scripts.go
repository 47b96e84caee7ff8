package campaigns

import "github.com/redis/go-redis/v9"

// ingestScript stores many snapshots and records their milestones. Each
// snapshot is a compare-and-set on the campaign's meta: it is written only if
// the stored meta is the one its milestones were computed from (else "c": the
// caller re-evaluates against the state returned), and never over a newer or
// equal version ("s": stale). Since every write changes the meta, a matching meta
// proves the fired set is still the one the rules saw, and the side writes
// the caller asks for (history sample, URL index, live set, end of life) are
// the right ones. Posted milestones are still set with HSETNX, and each one
// set is added to the event stream in the same step, so "fired" and "event
// queued" cannot be separated by a crash. Silent milestones go in one HSET.
//
//	KEYS[1] {p}:campaigns:live     KEYS[5] {p}:campaigns:successful
//	KEYS[2] {p}:campaigns:ended    KEYS[6] {p}:campaigns:failed
//	KEYS[3] {p}:events             KEYS[7] {p}:campaigns:canceled
//	KEYS[4] {p}:campaigns:urls
//	then per campaign i (1-based): KEYS[5+3i] {p}:campaign:<id>,
//	KEYS[6+3i] {p}:fired:<id>, KEYS[7+3i] {p}:history:<id>
//
//	ARGV[1] now (unix ms)          ARGV[4] history cutoff (unix ms): older samples go
//	ARGV[2] ended TTL (seconds)    ARGV[5] expiry of ended keys (unix ms)
//	ARGV[3] stream MAXLEN (~)      ARGV[6] number of campaigns
//	then per campaign 13 values:
//	  1 expected meta ("" when never seen)   8 URL index field ("" unchanged)
//	  2 version (unix µs)                     9 live set score ("" unchanged)
//	  3 new meta                             10 life: "" still live, "revive" (ended,
//	  4 snapshot JSON                           live again) or the ended state
//	  5 id                                   11 previous state ("" never seen)
//	  6 history score ("" no sample)         12 number of posted milestones p
//	  7 history member                       13 number of silent milestones r
//	then p pairs (milestone, event JSON), then r milestones.
//
// Returns one reply per campaign: "o" followed by one "1"/"0" per posted
// milestone (fired now / already there) when written, else {"s" (stale) or
// "c" (conflict), stored meta or nil, {fired milestone, ...}}.
var ingestScript = redis.NewScript(`
local now, ttl, maxlen, cutoff, expiry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local n = tonumber(ARGV[6])
local stateKeys = {successful = KEYS[5], failed = KEYS[6], canceled = KEYS[7]}
for _, k in ipairs({KEYS[2], KEYS[5], KEYS[6], KEYS[7]}) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
end
local posted, silent = now .. '|posted', now .. '|silent'
local out = {}
local a = 7
for i = 1, n do
  local kc, kf, kh = KEYS[5 + 3 * i], KEYS[6 + 3 * i], KEYS[7 + 3 * i]
  local expected, v, m, json, id, hscore, hmember, url, live, life, prev = unpack(ARGV, a, a + 10)
  local np, nr = tonumber(ARGV[a + 11]), tonumber(ARGV[a + 12])
  a = a + 13
  local cur = redis.call('HGET', kc, 'm')
  if cur and tonumber(string.match(cur, '^%d+')) >= tonumber(v) then
    out[i] = {'s', cur, redis.call('HKEYS', kf)}
  elseif (cur or '') ~= expected then
    out[i] = {'c', cur, redis.call('HKEYS', kf)}
  else
    local flags = {'o'}
    for j = 1, np do
      local name = ARGV[a + 2 * j - 2]
      if redis.call('HSETNX', kf, name, posted) == 1 then
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'id', id .. '/' .. name, 'event', ARGV[a + 2 * j - 1])
        flags[j + 1] = '1'
      else
        flags[j + 1] = '0'
      end
    end
    if nr > 0 then
      local args = {}
      for j = 0, nr - 1 do
        args[2 * j + 1] = ARGV[a + 2 * np + j]
        args[2 * j + 2] = silent
      end
      redis.call('HSET', kf, unpack(args))
    end
    redis.call('HSET', kc, 'm', m, 'j', json)
    if hscore ~= '' then
      redis.call('ZADD', kh, hscore, hmember)
      redis.call('ZREMRANGEBYSCORE', kh, '-inf', '(' .. cutoff)
    end
    if url ~= '' then redis.call('HSET', KEYS[4], url, id) end
    if live ~= '' then redis.call('ZADD', KEYS[1], live, id) end
    if life == 'revive' then
      redis.call('ZREM', KEYS[2], id)
      if stateKeys[prev] then redis.call('ZREM', stateKeys[prev], id) end
      redis.call('PERSIST', kc)
      redis.call('PERSIST', kf)
      redis.call('PERSIST', kh)
    elseif life ~= '' then
      redis.call('ZREM', KEYS[1], id)
      if prev ~= life and stateKeys[prev] then redis.call('ZREM', stateKeys[prev], id) end
      redis.call('ZADD', KEYS[2], expiry, id)
      redis.call('ZADD', stateKeys[life], expiry, id)
      redis.call('EXPIRE', kc, ttl)
      redis.call('EXPIRE', kf, ttl)
      redis.call('EXPIRE', kh, ttl)
    end
    out[i] = table.concat(flags)
  end
  a = a + 2 * np + nr
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
