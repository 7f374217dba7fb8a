-- Use a web chat recovery code: when it is one of the participant's live codes, it is used up,
-- so are the codes made after it, and a new private link becomes the only one that opens their
-- page. Codes made before it stay good: whoever made a code later (someone who had the link)
-- cannot, by using theirs, cancel a code the owner wrote down earlier. Check and use in one
-- step, so a code entered twice at once opens one link.
-- The code is also the way back after a quick exit: whoever holds it is the participant, so
-- the conversation shows again (`hid` cleared).
--
-- KEYS
--   1 the participant record
-- ARGV
--   1 the keyed hash of the code entered
--   2 the keyed hash of the new link
-- Returns {1, digest, …} when the code was theirs and is used: the digests whose index keys
-- the caller deletes (the code's own and those made after it); {0} otherwise (no such
-- participant, erased, or not one of their live codes).

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return {0} end
local kept, ended, found = {}, {}, false
for digest, made in string.gmatch(redis.call('HGET', KEYS[1], 'rc') or '', '(%x+):(%d+)') do
  if digest == ARGV[1] then found = true end
  if found then table.insert(ended, digest) else table.insert(kept, digest .. ':' .. made) end
end
if not found then return {0} end
if #kept > 0 then
  redis.call('HSET', KEYS[1], 'rc', table.concat(kept, ','))
else
  redis.call('HDEL', KEYS[1], 'rc')
end
redis.call('HSET', KEYS[1], 'lk', ARGV[2], 'hid', '0')
table.insert(ended, 1, 1)
return ended
