-- The platform took nothing: give the send claim back, so a later attempt (or a replay) may send
-- the entry.
--
-- KEYS
--   1 the participant's send claims
--   2 the participant's send in flight
-- ARGV
--   1 claim member
-- Returns 1.

redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
