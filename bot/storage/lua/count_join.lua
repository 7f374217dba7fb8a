-- Count one web chat join from a client address in a fixed window.
--
-- KEYS
--   1 the client's join counter
-- ARGV
--   1 window seconds
--   2 joins allowed per window
-- Returns 0 when this join is allowed, else the seconds until the window ends.

local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if count > tonumber(ARGV[2]) then return math.max(ttl, 1) end
return 0
