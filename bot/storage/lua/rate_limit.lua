-- GCRA on Redis's own clock: the limiter key holds the "theoretical arrival time" of the next
-- message; a request is allowed when it is no further ahead than the burst tolerance. A pause
-- (a 429's retry_after) holds everything back for its TTL.
--
-- KEYS
--   1 theoretical arrival time
--   2 pause (always given: an empty key name is not allowed)
-- ARGV
--   1 interval ms
--   2 tolerance ms
-- Returns 0 (go, and counted) or the ms to wait.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then return math.ceil(tat - now - tolerance) end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now + tolerance + 1000))
return 0
