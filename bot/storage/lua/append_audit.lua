-- Append one entry to an organisation's audit log, only if the log still ends where the caller
-- computed the entry's hash from (compare-and-set): the entry's hash covers the previous one,
-- so an entry appended after another process moved the head would break the chain.
--
-- KEYS
--   1 the organisation's audit stream
--   2 its head: the last entry's hash, the number of entries and a MAC of both
--     (bot/audit/chain.py; absent: the log is empty)
-- ARGV
--   1 the head the entry was computed from
--   2 the genesis head (what an absent head stands for)
--   3 the new head (naming the entry's own hash)
--   4.. the entry's fields and values, in pairs
-- Returns {1, stream id} when appended, {0, the current head} when the head had moved (the
-- caller recomputes the hash from that head and tries again).

local head = redis.call('GET', KEYS[2]) or ARGV[2]
if head ~= ARGV[1] then return {0, head} end
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
redis.call('SET', KEYS[2], ARGV[3])
return {1, id}
