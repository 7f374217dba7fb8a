-- Replace the result counters of one campaign in one shard by a recount, unless a commit changed
-- the counters since the recount began (bot/records/recount.py): then nothing is written and
-- the caller counts that shard again. The campaign's other counters (`started`, `completed`,
-- `answers`: no `.` or `=` in their names) are kept.
--
-- KEYS
--   1 the campaign's counters in the shard
-- ARGV
--   1 how many field/value pairs the counters held when the recount began; then those pairs;
--   then the recounted result fields' field/value pairs
-- Returns 1 when replaced, 0 when the counters had changed (nothing written).

local n = tonumber(ARGV[1])
local expected = {}
for i = 2, 2 * n, 2 do expected[ARGV[i]] = ARGV[i + 1] end
local current = redis.call('HGETALL', KEYS[1])
if #current ~= 2 * n then return 0 end
for i = 1, #current, 2 do
  if expected[current[i]] ~= current[i + 1] then return 0 end
end
local gone = {}
for i = 1, #current, 2 do
  if string.find(current[i], '[.=]') then gone[#gone + 1] = current[i] end
end
-- In slices: Lua's unpack has a limit on how many values it returns at once.
for i = 1, #gone, 1000 do
  redis.call('HDEL', KEYS[1], unpack(gone, i, math.min(i + 999, #gone)))
end
for i = 2 + 2 * n, #ARGV, 1000 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return 1
