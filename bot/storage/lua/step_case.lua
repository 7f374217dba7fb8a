-- Move a grievance case one step, if it is still where the company saw it (two people at the
-- desk cannot both move it): record the step, its category and urgency when the desk set them,
-- the desk's message (sealed with the participant's key, for "my cases"), and queue the
-- participant's message, to their web chat inbox or the reply outbox. A resolution that reaches
-- them asks whether they are satisfied: the case notes when it asked (dropping an earlier
-- answer, and the why of an earlier no), and a participant with no other question waiting gets the question as their stage,
-- so a typed yes or no answers it. The case's place on its organisation's desk moves with it
-- (includes/desk_place.lua).
--
-- KEYS
--   1 case hash
--   2 reply outbox stream
--   3 the participant's web chat inbox
--   4 the participant's hash (a key of the case's slot stands in when there is no one to ask)
-- ARGV
--   1 expected status
--   2 expected step count
--   3 new status
--   4 now ms
--   5 inbox item ('' = none)
--   6 inbox cap
--   7 category ('' = unchanged)
--   8 urgency ('' = unchanged)
--   9 the desk's message, sealed ('' = none: the last one stays)
--   10 the case reference when the satisfaction question goes with this step ('' = not asked)
--   11.. outbox entry fields k, pid, ch, t, body (absent: no push message)
-- Returns the new step count, or -1 when the case moved since it was read.

--- @include "includes/desk_place.lua"

if (redis.call('HGET', KEYS[1], 'status') or '') ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[1], 'steps') or '0') ~= ARGV[2] then return -1 end
local _, before = desk_place(KEYS[1])
local n = redis.call('HINCRBY', KEYS[1], 'steps', 1)
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'u', ARGV[4], 'h:' .. n, ARGV[3] .. '|' .. ARGV[4])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'cat', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'urg', ARGV[8]) end
desk_move(KEYS[1], before, true)
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'm', ARGV[9]) end
if ARGV[10] ~= '' then
  redis.call('HSET', KEYS[1], 'asked', ARGV[4])
  redis.call('HDEL', KEYS[1], 'sat', 'why', 'whyt')
  if redis.call('EXISTS', KEYS[4]) == 1 and (redis.call('HGET', KEYS[4], 'stg') or '') == '' then
    redis.call('HSET', KEYS[4], 'stg', 'satisfied', 'stref', ARGV[10])
  end
end
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[5])
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[6]), -1)
end
if #ARGV >= 15 then
  redis.call('XADD', KEYS[2], '*', 'k', ARGV[11], 'pid', ARGV[12], 'ch', ARGV[13], 't', ARGV[14],
    'body', ARGV[15])
end
return n
