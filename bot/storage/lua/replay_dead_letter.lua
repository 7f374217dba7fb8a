-- Put a dead letter back on the stream it came from: read, re-add and delete in one step, so two
-- operators replaying the same letter at once cannot both put it back. The worker or sender
-- added `error`, `entry` (and for messages `kind`, `stream`) when it parked the entry; the rest
-- is the original entry.
--
-- KEYS
--   1 dead-letter stream
--   2 the stream it came from (one shard: one hash slot)
-- ARGV
--   1 entry id
-- Returns the new entry id, or nil when it is not there; an error when the letter holds no event.

local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return false end
local fields = found[1][2]
local original = {}
for i = 1, #fields, 2 do
  local name = fields[i]
  if name ~= 'error' and name ~= 'entry' and name ~= 'kind' and name ~= 'stream' then
    original[#original + 1] = fields[i]
    original[#original + 1] = fields[i + 1]
  end
end
if #original == 0 then return redis.error_reply('dead letter ' .. ARGV[1] .. ' has no event') end
local added = redis.call('XADD', KEYS[2], '*', unpack(original))
redis.call('XDEL', KEYS[1], ARGV[1])
return added
