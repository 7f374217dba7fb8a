-- Record a participant's reaction to a decision notice: "helpful" and "still concerned" count
-- once per participant and decision (the latest press wins), "tell me more" once per
-- participant. Safe to run twice: a repeat changes nothing.
--
-- KEYS
--   1 the participant's told hash
--   2 the decision's reactions hash (same shard)
-- ARGV
--   1 decision reference
--   2 kind
-- Returns 0 when a "helpful" or "still concerned" press repeats their latest one, else 1.

if ARGV[2] == 'more' then
  if redis.call('HSETNX', KEYS[1], 'm:' .. ARGV[1], 1) == 1 then
    redis.call('HINCRBY', KEYS[2], 'more', 1)
  end
  return 1
end
local before = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if before == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if before then redis.call('HINCRBY', KEYS[2], before, -1) end
return 1
