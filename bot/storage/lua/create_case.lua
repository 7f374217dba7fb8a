-- Create a feedback case only if it does not exist: the commands run before an event's commit,
-- and again if the event is replayed (a dead letter replayed twice), when the desk may have moved
-- the case on; a replay must not reset it. A case of an organisation (field `org`) takes its
-- place on that organisation's desk in the same script (includes/desk_place.lua).
--
-- KEYS
--   1 the case hash
-- ARGV
--   1.. field/value pairs
-- Returns the fields written, or 0 when the case existed.

--- @include "includes/desk_place.lua"

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local written = redis.call('HSET', KEYS[1], unpack(ARGV))
desk_move(KEYS[1], nil, true)
return written
