-- How many people of one shard changed a campaign's results since its last published snapshot
-- (bot/records/snapshots.py): those in its changed set and those a snapshot being taken has
-- moved out of it, each once.
--
-- KEYS
--   1 the campaign's changed set in the shard
--   2 the set of those the next snapshot takes in
-- ARGV
--   none
-- Returns the count.

if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('SCARD', KEYS[1]) end
return #redis.call('SUNION', KEYS[1], KEYS[2])
