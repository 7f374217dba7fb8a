-- After an erasure: the keys that still carry the erased participant's pseudonym in their names
-- go, so that no copy of it is left for the rewrite of the data files to write again (the
-- pseudonym and the id secret together give back the address by trying a country's numbers).
-- Their event markers (hashes of message ids) move to the shard's set of erased events, named
-- by no one: a platform redelivering an old message of theirs still finds it seen. They are
-- added one by one (the cost grows with their markers, not with the shard's set), and the set's
-- markers a dedupe window older than its newest are trimmed.
--
-- Run after the erasing commit (its marker is committed by then) and again after the goodbye
-- is done with (its claim, pace and history name the pseudonym). Nothing is done while their
-- record exists: they came back, and these keys are their new conversation's.
--
-- KEYS (all in the participant's shard slot)
--   1 participant record
--   2 event markers (sorted set)
--   3 the shard's erased events (sorted set)
--   4 send claims
--   5 send in flight
--   6 chat limiter
--   7 chat pause
--   8 Telegram history
--   9 WhatsApp resend copies: the index of their digests (set)
-- ARGV
--   1 dedupe TTL seconds
--   2 what a resend copy's digest is put after to name it (`KeySchema.whatsapp_body`)
-- Returns 1 when forgotten, 0 when their record exists.

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  -- Their markers (at most a couple of thousand) added to the shard's set, a marker already
  -- there keeping the later score (GT), in chunks that stay well within Lua's stack. Not a
  -- ZUNIONSTORE: that copies the whole shard-wide set on every erasure.
  local mine = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  for first = 1, #mine, 1000 do
    local batch = {}
    for i = first, math.min(first + 998, #mine - 1), 2 do
      batch[#batch + 1] = mine[i + 1]  -- score
      batch[#batch + 1] = mine[i]  -- member
    end
    redis.call('ZADD', KEYS[3], 'GT', unpack(batch))
  end
  -- Markers a window older than the newest go, as ingest drops them (scores are the times
  -- the platform's events were received, so they are compared with each other, not a clock).
  local newest = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')[2]
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(newest) - ttl * 2))
  redis.call('EXPIRE', KEYS[3], ttl)
end
for _, digest in ipairs(redis.call('SMEMBERS', KEYS[9])) do
  redis.call('DEL', ARGV[2] .. digest)
end
redis.call('DEL', KEYS[2], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9])
return 1
