-- The migration to schema 7 (bot/runtime/migrations.py): give one case raised before the desk
-- had an index its organisation (`org`, its campaign's) and its place on that organisation's
-- desk (includes/desk_place.lua). A case from before the promised time was kept gets the one
-- it was promised (`due`, the default), which the desk already read for it. Safe to run again
-- and beside commits and steps: an `org` already there is kept, and the place is read from the
-- case as it stands.
--
-- KEYS
--   1 the case hash
-- ARGV
--   1 the organisation of the case's campaign
--   2 the answer time it was promised when it has no `due`, ms
-- Returns 1 when it has a place on a desk, 0 otherwise (no such case).

--- @include "includes/desk_place.lua"

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'org', ARGV[1])
redis.call('HSETNX', KEYS[1], 'due', ARGV[2])
desk_move(KEYS[1], nil, false)
return 1
