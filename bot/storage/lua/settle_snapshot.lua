-- Once results snapshot k is published (bot/records/snapshots.py): forget who it took in, in
-- one shard, and let the shard's copy of the snapshot before it go after a grace time (a reader
-- that asked for its number a moment ago still finds it).
--
-- KEYS
--   1 the set of those snapshot k took in
--   2 the shard's copy of snapshot k - 1
-- ARGV
--   1 the grace time (seconds)
-- Returns 1.

redis.call('DEL', KEYS[1])
if redis.call('TTL', KEYS[2]) == -1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return 1
