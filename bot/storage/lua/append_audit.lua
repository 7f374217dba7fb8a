-- Append one entry to an organisation's audit log, only if the log still ends where the caller
-- computed the entry's hash from (compare-and-set): the entry's hash covers the previous one,
-- so an entry appended after another process moved the head would break the chain.
--
-- The entry's stream id is its own time (`<at_ms>-0`), so that a reader seeks a day by id
-- (XRANGE from a time) instead of reading the log from its start. Ids must grow: an entry
-- timed at or before the last id (a clock behind another process's) takes the next sequence
-- of that last id, so an entry's id is never earlier than its time.
--
-- KEYS
--   1 the organisation's audit stream
--   2 its head: the last entry's hash, the number of entries and a MAC of both
--     (bot/audit/chain.py; absent: the log is empty)
-- ARGV
--   1 the head the entry was computed from
--   2 the genesis head (what an absent head stands for)
--   3 the new head (naming the entry's own hash)
--   4 the entry's time, in milliseconds
--   5.. the entry's fields and values, in pairs
-- Returns {1, stream id} when appended, {0, the current head} when the head had moved (the
-- caller recomputes the hash from that head and tries again).

local head = redis.call('GET', KEYS[2]) or ARGV[2]
if head ~= ARGV[1] then return {0, head} end
local ms, seq = tonumber(ARGV[4]), 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  -- The last id the stream gave, even if that entry was deleted since: a new one must pass it.
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last_ms, last_seq = string.match(info[i + 1], '^(%d+)-(%d+)$')
      last_ms, last_seq = tonumber(last_ms), tonumber(last_seq)
      if ms <= last_ms then ms, seq = last_ms, last_seq + 1 end
    end
  end
end
if ms == 0 and seq == 0 then seq = 1 end  -- 0-0 is no id a stream takes
local id = redis.call('XADD', KEYS[1], string.format('%d-%d', ms, seq), unpack(ARGV, 5))
redis.call('SET', KEYS[2], ARGV[3])
return {1, id}
