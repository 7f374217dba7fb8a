-- Move one event marker or send claim written before they were kept per participant (a string
-- key of its own: `e:<event id>`, "0" stored, "1" committed; `sent:<idempotency key>`) into the
-- participant's sorted set, as if written there when it was written, then delete it. Part of a
-- migration that runs once (bot.runtime.migrations); safe to run twice or by two processes at
-- once: the second finds no string key and does nothing.
--
-- KEYS
--   1 the older key (string)
--   2 the participant's event markers or send claims (sorted set)
-- ARGV
--   1 marker member of the event id or idempotency key
--   2 now (marker time)
--   3 dedupe TTL seconds
--   4 members kept at most
--   5 'event' (score: time × 2, plus 1 once committed) or 'claim' (score: time)
-- Returns 1 when moved, 0 when there was no such string key.

local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('TYPE', KEYS[1])['ok'] ~= 'string' then return 0 end
local committed = redis.call('GET', KEYS[1]) == '1'
local left = redis.call('TTL', KEYS[1])
if left < 0 then left = ttl end  -- no expiry: as if just written
local written = math.max(0, now - (ttl - left))
local found = redis.call('ZSCORE', KEYS[2], ARGV[1])
if ARGV[5] == 'event' then
  local score = written * 2 + (committed and 1 or 0)
  -- A marker already in the set keeps its time; it only ever turns committed, never back.
  if not found then
    redis.call('ZADD', KEYS[2], score, ARGV[1])
  elseif committed and tonumber(found) % 2 == 0 then
    redis.call('ZADD', KEYS[2], tonumber(found) + 1, ARGV[1])
  end
elseif not found then
  redis.call('ZADD', KEYS[2], written, ARGV[1])
end
if redis.call('ZCARD', KEYS[2]) > most then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -most - 1)
end
if redis.call('TTL', KEYS[2]) < left then redis.call('EXPIRE', KEYS[2], left) end
redis.call('DEL', KEYS[1])
return 1
