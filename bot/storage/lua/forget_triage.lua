-- An erased participant's free-text answers of one campaign leave its triage queue, with their
-- flags, linked decision and open safety alert: run just before their answers are deleted (the
-- items are found from the answers' question ids: a question id holds no `#`, a free text's
-- chunks do). Safe to run twice: a second run finds no answers, or removes nothing.
--
-- KEYS (all in the participant's shard slot)
--   1 their answers in the campaign (hash)
--   2 the campaign's triage queue in the shard (sorted set)
--   3 its triage marks (hash)
--   4 its open safety alerts (sorted set)
-- ARGV
--   1 the participant id (an item is `<participant id>/<question id>`)
-- Returns how many items were named.

local named = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not string.find(field, '#', 1, true) then
    local item = ARGV[1] .. '/' .. field
    redis.call('ZREM', KEYS[2], item)
    redis.call('HDEL', KEYS[3], 'u:' .. item, 's:' .. item, 'd:' .. item)
    redis.call('ZREM', KEYS[4], item)
    named = named + 1
  end
end
return named
