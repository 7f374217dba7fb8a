-- Renew this owner's leases and take free ones, in the order given, up to a number of new ones:
-- one round trip per renewal for every shard a process holds (on Redis Cluster, per hash slot).
--
-- KEYS
--   1.. the leases (one hash slot)
-- ARGV
--   1 owner
--   2 TTL ms
--   3 at most this many leases to take that the owner does not hold yet
-- Returns one flag per lease, in order: 1 when the owner holds it now, 0 when another does (or it
-- was free and enough were taken).

local wanted = tonumber(ARGV[3])
local held = {}
for index, lease in ipairs(KEYS) do
  local owner = redis.call('GET', lease)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', lease, ARGV[2])
    held[index] = 1
  elseif owner == false and wanted > 0 then
    redis.call('SET', lease, ARGV[1], 'PX', ARGV[2])
    wanted = wanted - 1
    held[index] = 1
  else
    held[index] = 0
  end
end
return held
