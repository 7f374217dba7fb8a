-- How many entries of a stream its consumer group still has to handle: not read yet, or read and
-- not acknowledged. Redis 6.2 reports neither lag nor entries read, so this counts the entries
-- the group has already read past (few: trimmed away within a second of being handled) and
-- takes them off the length. A stream without the group (no consumer ever started) waits whole.
--
-- KEYS
--   1 a stream
-- ARGV
--   1 its consumer group
-- Returns the number of entries waiting.

local length = redis.call('XLEN', KEYS[1])
if length == 0 then return 0 end
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  if info['name'] == ARGV[1] then
    local passed = #redis.call('XRANGE', KEYS[1], '-', info['last-delivered-id'])
    return length - passed + info['pending']
  end
end
return length
