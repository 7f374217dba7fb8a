-- A participant's answer about one of their own grievance cases, written before their event's
-- commit (and safe to run again: a replayed event finds the case already changed).
-- "yes" / "no": their answer to "are you satisfied?", kept only while the case is resolved.
-- "reopen": a resolved case becomes reopened (counted; a new answer is due by ARGV 4); the
-- conversation already checked the reopen time, and a case no longer resolved is left alone.
-- "why": after a "no", what is still wrong in their words (sealed with their key): kept once
-- per "no" (a replay, or a second message, changes nothing), whatever the status since; a
-- changed yes / no drops the one kept.
--
-- KEYS
--   1 the case hash
-- ARGV
--   1 yes | no | reopen | why
--   2 the participant id (the case must be theirs)
--   3 now ms
--   4 reopen: the new due time, ms
--   5 why: their words, sealed
-- Returns 1 when the case changed, 0 when it did not. A reopened case takes its new place on
-- its organisation's desk (includes/desk_place.lua).

--- @include "includes/desk_place.lua"

if (redis.call('HGET', KEYS[1], 'pid') or '') ~= ARGV[2] then return 0 end
if ARGV[1] == 'why' then
  if redis.call('HGET', KEYS[1], 'sat') ~= '0' or redis.call('HEXISTS', KEYS[1], 'why') == 1 then
    return 0
  end
  redis.call('HSET', KEYS[1], 'why', ARGV[5], 'whyt', ARGV[3])
  return 1
end
if redis.call('HGET', KEYS[1], 'status') ~= 'resolved' then return 0 end
if ARGV[1] == 'reopen' then
  local _, before = desk_place(KEYS[1])
  local n = redis.call('HINCRBY', KEYS[1], 'steps', 1)
  redis.call('HINCRBY', KEYS[1], 'reopens', 1)
  redis.call('HSET', KEYS[1], 'status', 'reopened', 'u', ARGV[3], 'due', ARGV[4],
    'h:' .. n, 'reopened|' .. ARGV[3])
  desk_move(KEYS[1], before, true)
  return 1
end
local said = ARGV[1] == 'yes' and '1' or '0'
if redis.call('HGET', KEYS[1], 'sat') ~= said then redis.call('HDEL', KEYS[1], 'why', 'whyt') end
redis.call('HSET', KEYS[1], 'sat', said, 'satt', ARGV[3])
return 1
