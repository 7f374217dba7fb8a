-- Read some of one shard's result counters (bot/records/results.py). The field names come as
-- one space-separated argument: the same few hundred names are asked of every shard, and
-- passing them as one argument spares the client packing each of them for each shard, which
-- cost more than the reading itself.
--
-- KEYS
--   1 the campaign's counters in the shard
-- ARGV
--   1 the field names, separated by spaces (no field name holds one)
-- Returns their values in that order (nil for a field absent).

local fields = {}
for name in string.gmatch(ARGV[1], '%S+') do fields[#fields + 1] = name end
local values = {}
-- In slices: Lua's unpack has a limit on how many values it returns at once.
for i = 1, #fields, 1000 do
  local slice = redis.call('HMGET', KEYS[1], unpack(fields, i, math.min(i + 999, #fields)))
  for j = 1, #slice do values[i + j - 1] = slice[j] end
end
return values
