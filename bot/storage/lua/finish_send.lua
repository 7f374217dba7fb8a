-- The platform answered (or the entry needs no call): acknowledge the outbox entry, and the send
-- is no longer in flight. One round trip, as the acknowledgement alone was.
--
-- KEYS
--   1 outbox stream
--   2 the participant's send in flight
-- ARGV
--   1 group
--   2 entry id
--   3 claim member ('' = none taken)
-- Returns what XACK returns: 1 acknowledged now, 0 not pending.

if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
