-- Set or clear one mark of a triage item: `u` (urgent), `s` (safety), `d` (the decision it is
-- linked to) or `t` (the suggested themes staff dismissed on it, comma-separated), only while
-- the item is in the queue (an erasure may have taken it meanwhile). A safety flag raised opens
-- the item's safety alert; cleared, it closes it. Flagging twice keeps the first time (the alert
-- is not raised again).
--
-- KEYS (all in the shard's slot)
--   1 the campaign's triage queue in the shard (sorted set)
--   2 its triage marks (hash)
--   3 its open safety alerts (sorted set)
-- ARGV
--   1 the item
--   2 the mark: u, s, d or t
--   3 its value ('' clears it): for u and s the time (ms), for d the decision id, for t the
--     themes
-- Returns -1 when the item is not in the queue, 0 when nothing changed, 1 when the mark
-- changed, 2 when a safety alert was raised.

local item, mark, value = ARGV[1], ARGV[2], ARGV[3]
if not redis.call('ZSCORE', KEYS[1], item) then return -1 end
local field = mark .. ':' .. item
local before = redis.call('HGET', KEYS[2], field)
if value == '' then
  if not before then return 0 end
  redis.call('HDEL', KEYS[2], field)
  if mark == 's' then redis.call('ZREM', KEYS[3], item) end
  return 1
end
if mark == 'd' or mark == 't' then
  if before == value then return 0 end
  redis.call('HSET', KEYS[2], field, value)
  return 1
end
if before then return 0 end
redis.call('HSET', KEYS[2], field, value)
if mark == 's' then
  redis.call('ZADD', KEYS[3], value, item)
  return 2
end
return 1
