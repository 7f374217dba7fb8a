-- Add a new web chat recovery code to the participant's live ones (the web chat's "Get a
-- recovery code"): only while their record holds a data key and the link asking is the one
-- valid now, and only below the cap of live codes. A new code cancels none: a code the owner
-- wrote down stays good whoever asks for another with the link. The caller has already SET
-- the code's index key (another slot); it deletes it unless this returns 1, so a code asked
-- for as the participant is erased, or refused, leaves nothing behind.
--
-- `rc` holds the live codes in the order they were made: "<digest>:<made, unix s>,…", or
-- "erasing" once an erasure has forgotten them (webchat_forget_codes.lua).
--
-- KEYS
--   1 the participant record
-- ARGV
--   1 the keyed hash of the new code
--   2 the keyed hash of the link asking ("" for a first link: valid only while none other
--     was issued)
--   3 now, unix seconds
--   4 how long a code lives, seconds
--   5 the most live codes a participant may hold
-- Returns false when there is no such participant (or no longer, or being erased) or the link
-- is not the valid one; 0 when they already hold the most live codes; 1 when it was added.

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return false end
if (redis.call('HGET', KEYS[1], 'lk') or '') ~= ARGV[2] then return false end
local codes = redis.call('HGET', KEYS[1], 'rc') or ''
if codes == 'erasing' then return false end
local now, life = tonumber(ARGV[3]), tonumber(ARGV[4])
local live = {}
for digest, made in string.gmatch(codes, '(%x+):(%d+)') do
  if tonumber(made) + life > now then table.insert(live, digest .. ':' .. made) end
end
if #live >= tonumber(ARGV[5]) then return 0 end
table.insert(live, ARGV[1] .. ':' .. ARGV[3])
redis.call('HSET', KEYS[1], 'rc', table.concat(live, ','))
return 1
