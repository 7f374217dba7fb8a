-- Retention: drop the text of a campaign's feedback cases and concerns in one shard, a slice of
-- the shard's cases at a time (bot/runtime/retention.py). The text was sealed with the
-- participant's data key; the case keeps its reference, campaign, status, steps and times, so
-- the desk's figures stay. Running it again finds no text and changes nothing.
--
-- Case key names are built from the shard's tag, in the declared key's hash slot.
--
-- KEYS
--   1 the shard's cases (sorted set of case references)
-- ARGV
--   1 campaign id
--   2 index of the first case of the slice
--   3 how many cases the slice holds
--   4 the shard's tag (`sauti:{s3}`)
-- Returns {next index (0 = the last slice was done), texts dropped}.

local first = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local refs = redis.call('ZRANGE', KEYS[1], first, first + size - 1)
local dropped = 0
for _, ref in ipairs(refs) do
  local case = ARGV[4] .. ':case:' .. ref
  if redis.call('HGET', case, 'cid') == ARGV[1] then
    dropped = dropped + redis.call('HDEL', case, 'x')
  end
end
if #refs < size then return {0, dropped} end
return {first + size, dropped}
