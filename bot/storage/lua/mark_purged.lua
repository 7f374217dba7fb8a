-- Retention finished erasing a campaign's personal-level data: mark it `purged`, only if it is
-- still closed since the closing time the run started from (bot/runtime/retention.py). A
-- campaign reopened meanwhile (`closed` removed), or reopened and closed again (a new `closed`),
-- is not marked: its new respondents are kept until its new due date.
--
-- KEYS
--   1 the campaign's hash
-- ARGV
--   1 the `closed` value read when the run started
--   2 now, epoch ms
-- Returns 1 when marked, 0 when the campaign changed since.

local status, closed = unpack(redis.call('HMGET', KEYS[1], 'status', 'closed'))
if status ~= 'closed' or closed ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'purged', ARGV[2])
return 1
