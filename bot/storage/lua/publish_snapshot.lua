-- Publish results snapshot k of a campaign (bot/records/snapshots.py): readers read it from
-- now on. Never goes back to an older number (a slow process publishing late).
--
-- KEYS
--   1 the campaign's published snapshot number
-- ARGV
--   1 k
-- Returns 1 when published, 0 when a number as high already was.

if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
