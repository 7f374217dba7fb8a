-- Move a grievance case one step, if it is still where the company saw it (two people at the
-- desk cannot both move it): record the step and queue the participant's message, to their web
-- chat inbox or the reply outbox.
--
-- KEYS
--   1 case hash
--   2 reply outbox stream
--   3 the participant's web chat inbox
-- ARGV
--   1 expected status
--   2 expected step count
--   3 new status
--   4 now ms
--   5 inbox item ('' = none)
--   6 inbox cap
--   7.. outbox entry fields k, pid, ch, t, body (absent: no push message)
-- Returns the new step count, or -1 when the case moved since it was read.

if (redis.call('HGET', KEYS[1], 'status') or '') ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[1], 'steps') or '0') ~= ARGV[2] then return -1 end
local n = redis.call('HINCRBY', KEYS[1], 'steps', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'u', ARGV[4], 'h:' .. n, ARGV[3] .. '|' .. ARGV[4])
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[5])
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[6]), -1)
end
if #ARGV >= 11 then
  redis.call('XADD', KEYS[2], '*', 'k', ARGV[7], 'pid', ARGV[8], 'ch', ARGV[9], 't', ARGV[10],
    'body', ARGV[11])
end
return n
