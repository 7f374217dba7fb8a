-- Create a feedback case only if it does not exist: the commands run before an event's commit,
-- and again if the event is replayed (a dead letter replayed twice), when the desk may have moved
-- the case on; a replay must not reset it.
--
-- KEYS
--   1 the case hash
-- ARGV
--   1.. field/value pairs
-- Returns the fields written, or 0 when the case existed.

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('HSET', KEYS[1], unpack(ARGV))
