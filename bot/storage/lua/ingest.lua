-- Ingest one inbound event: remember its marker in the participant's event markers and add it to
-- the shard's inbound stream, unless its platform message id was seen before (deduplication).
-- The marker's score is even (stored, not committed yet) until the commit makes it odd.
--
-- KEYS
--   1 the participant's event markers (sorted set)
--   2 the shard's inbound stream
--   3 the shard's erased events (sorted set; forget_erased.lua): an erased participant's
--     markers, so a platform redelivering their old message after the erasure still finds it
-- ARGV
--   1 marker member
--   2 now (bot.runtime.markers.marker_time)
--   3 dedupe TTL seconds
--   4 markers kept at most
--   5.. the entry's field/value pairs
-- Returns the new entry id, or nil when the platform message id was seen before.

local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl) * 2)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  -- A write even so: a WAIT after it (SAUTI_ACK_REPLICAS) then waits for the replicas to
  -- reach this point, the first copy included, not for whatever its connection wrote before.
  redis.call('EXPIRE', KEYS[1], ttl)
  return false
end
redis.call('ZADD', KEYS[1], now * 2, ARGV[1])
if redis.call('ZCARD', KEYS[1]) > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -most - 1)
end
redis.call('EXPIRE', KEYS[1], ttl)
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
