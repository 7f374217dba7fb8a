-- Reserve a slot of a channel's global rate (GCRA on Redis's own clock): the limiter key holds
-- the "theoretical arrival time" of the next message. Unlike asking "may I go now?" over and
-- over, a reservation names the moment the slot begins, so a sender waiting for the rate sleeps
-- once and asks once. A slot further ahead than `horizon` is not reserved (the caller asks again
-- when it is near): messages that come later but go first (replies before bulk) still find one.
-- A pause (a 429's retry_after) holds everything back for its TTL.
--
-- KEYS
--   1 theoretical arrival time
--   2 pause
-- ARGV
--   1 interval ms
--   2 tolerance ms (burst)
--   3 horizon ms: how far ahead a slot may be reserved
-- Returns {1, ms}: reserved, the slot begins in `ms` (0: now); {0, ms}: not reserved, ask again
-- in `ms`.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused} end
local interval, tolerance, horizon = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local begins = tat - tolerance - now
if begins < 0 then begins = 0 end
if begins > horizon then return {0, math.ceil(begins - horizon)} end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', math.ceil(tat - now + tolerance + 1000))
return {1, math.ceil(begins)}
