-- An erasure's triage step: the participant's items leave the triage queue of every campaign
-- they joined, with their flags, linked decision and open safety alert — their free-text
-- answers (found from the question ids of their answers: a question id holds no `#`, a free
-- text's chunks do) and their concerns about its decisions (found in what they were told:
-- `q:<case reference>` -> campaign). Then the script deletes those answers and what they were
-- told itself, in place of the erasure's own DELs: a batch that a server refuses a script of
-- (NOSCRIPT) runs again whole, and keys a plain DEL removed on the first run would no longer
-- show the second run which items to take. Safe to run twice.
--
-- KEYS (all in the participant's shard slot)
--   1 what they were told (hash)
--   then for each campaign, four keys: their answers in it (hash), its triage queue in the
--   shard (sorted set), its triage marks (hash), its open safety alerts (sorted set)
-- ARGV
--   1 the participant id (an answer's item is `<participant id>/<question id>`)
--   2.. the campaign ids, in the order of their keys
-- Returns how many items were named.

local named = 0
local told = redis.call('HGETALL', KEYS[1])
for c = 2, #ARGV do
  local base = 2 + (c - 2) * 4
  local answers, queue, marks, alerts = KEYS[base], KEYS[base + 1], KEYS[base + 2], KEYS[base + 3]
  local function forget(item)
    redis.call('ZREM', queue, item)
    redis.call('HDEL', marks, 'u:' .. item, 's:' .. item, 'd:' .. item, 't:' .. item)
    redis.call('ZREM', alerts, item)
    named = named + 1
  end
  for _, field in ipairs(redis.call('HKEYS', answers)) do
    if not string.find(field, '#', 1, true) then forget(ARGV[1] .. '/' .. field) end
  end
  for i = 1, #told, 2 do
    if string.sub(told[i], 1, 2) == 'q:' and told[i + 1] == ARGV[c] then
      forget(string.sub(told[i], 3))
    end
  end
  redis.call('DEL', answers)
end
redis.call('DEL', KEYS[1])
return named
