package curator

import "github.com/redis/go-redis/v9"

// recordFetchScript writes what one fetch did into the feed's status hash, but
// only while the feed is still registered: a fetch that ends after `feeds remove`
// must not bring back a status hash nobody will ever delete.
//
//	KEYS[1]  feeds hash ({p}:feeds)
//	KEYS[2]  the feed's status hash ({p}:feed:<id>:status)
//	ARGV[1]  feed URL
//	ARGV[2]  status: "ok", "not_modified" or "error"
//	ARGV[3]  fetch time, unix ms
//	ARGV[4]  error message ("" when none)
//	ARGV[5]  feed title ("" keeps the stored one)
//	ARGV[6]  "1" to store ARGV[7] and ARGV[8] as the new validators, "0" to keep them
//	ARGV[7]  ETag
//	ARGV[8]  Last-Modified
//	ARGV[9]  items in the document (-1 keeps the stored count)
//	ARGV[10] drafts made by this fetch, added to the total
//
// Returns 1 when written, 0 when the feed is no longer registered.
var recordFetchScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
	return 0
end
redis.call('HSET', KEYS[2], 'last_fetch', ARGV[3], 'last_status', ARGV[2], 'last_error', ARGV[4])
if ARGV[2] == 'error' then
	redis.call('HINCRBY', KEYS[2], 'consecutive_errors', 1)
else
	redis.call('HSET', KEYS[2], 'consecutive_errors', 0)
end
if ARGV[5] ~= '' then
	redis.call('HSET', KEYS[2], 'title', ARGV[5])
end
if ARGV[6] == '1' then
	redis.call('HSET', KEYS[2], 'etag', ARGV[7], 'last_modified', ARGV[8])
end
if tonumber(ARGV[9]) >= 0 then
	redis.call('HSET', KEYS[2], 'items', ARGV[9])
end
if tonumber(ARGV[10]) > 0 then
	redis.call('HINCRBY', KEYS[2], 'curated', ARGV[10])
end
return 1
`)

// claimItemsScript marks the items of a fetched document as seen and returns
// those that were not seen before, so that of two replicas fetching the same
// feed only one handles a new item. Every item present gets the current time
// as its score: trimming to the newest ARGV[2] then drops only items that left
// the feed long ago, never one still in the document (documents are capped
// well below that size). The key expires when the feed stops being fetched.
//
//	KEYS[1]  the feed's seen zset ({p}:feed:<id>:seen)
//	ARGV[1]  now, unix ms
//	ARGV[2]  how many item keys to keep
//	ARGV[3]  TTL of the set, ms
//	ARGV[4…] item keys
//
// Returns the item keys that were new, in ARGV order.
var claimItemsScript = redis.NewScript(`
local fresh = {}
for i = 4, #ARGV do
	if redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) == 1 then
		fresh[#fresh + 1] = ARGV[i]
	end
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return fresh
`)
