-- A live process of a role says so, and learns how many are alive: its heartbeat in the role's
-- members, members silent for longer than a lease lives dropped, in one round trip.
--
-- KEYS
--   1 the role's members (sorted set, by last heartbeat)
-- ARGV
--   1 this process
--   2 now ms
--   3 TTL ms: a member silent this long is gone
-- Returns how many members are alive.

redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[2]) - tonumber(ARGV[3]))
return redis.call('ZCARD', KEYS[1])
