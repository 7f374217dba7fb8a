-- A verified rewrite of the data files covered every erasure noted up to a count read before it
-- started: record it, and what still waits. Erasures noted while it ran are not covered (their
-- keys may have been copied into the new file before they were deleted): they keep `first`,
-- moved to when the rewrite started (no later than they happened), so the next rewrite is due
-- within the window of them.
--
-- KEYS
--   1 the erasures hash (bot.storage.erasure_marks)
-- ARGV
--   1 the `noted` count read before the rewrite started
--   2 when the rewrite started (ms)
--   3 when it was verified (ms)
-- Returns the number of erasures still waiting for a rewrite.

local covered = tonumber(ARGV[1])
local before = tonumber(redis.call('HGET', KEYS[1], 'rewritten') or '0')
if covered > before then
  redis.call('HSET', KEYS[1], 'rewritten', covered, 'rewritten_at', ARGV[3])
end
local noted = tonumber(redis.call('HGET', KEYS[1], 'noted') or '0')
local waiting = noted - math.max(covered, before)
if waiting > 0 then
  redis.call('HSET', KEYS[1], 'first', ARGV[2])
else
  redis.call('HDEL', KEYS[1], 'first')
end
return math.max(waiting, 0)
