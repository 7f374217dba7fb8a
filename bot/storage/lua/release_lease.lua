-- Give a lease back, only if it is still ours.
--
-- KEYS
--   1 the lease
-- ARGV
--   1 owner
-- Returns 1 when released, 0 when it was not ours (or gone).

if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
