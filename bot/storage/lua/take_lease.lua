-- Take a free lease or renew our own.
--
-- KEYS
--   1 the lease
-- ARGV
--   1 owner
--   2 TTL ms
-- Returns 1 when held, 0 when another owner holds it.

local owner = redis.call('GET', KEYS[1])
if owner == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1
end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1
end
return 0
