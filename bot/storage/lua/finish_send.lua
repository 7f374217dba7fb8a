-- The platform answered (or the entry needs no call): acknowledge the outbox entry; the send is no
-- longer in flight, and its claim goes (claim_send.lua refuses an entry no longer pending, so the
-- claim is not needed once the entry is acknowledged). One round trip, as the acknowledgement
-- alone was.
--
-- KEYS
--   1 outbox stream
--   2 the participant's send in flight
--   3 the participant's send claims
-- ARGV
--   1 group
--   2 entry id
--   3 claim member
-- Returns what XACK returns: 1 acknowledged now, 0 not pending. An entry acknowledged before (by
-- a successor that took the shard over) leaves the claim and the in-flight mark alone: they may
-- be another copy's by now.

local acknowledged = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if acknowledged == 1 then
  if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
  redis.call('ZREM', KEYS[3], ARGV[3])
end
return acknowledged
