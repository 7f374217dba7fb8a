-- Claim an outbox entry's idempotency key just before the platform call, and mark the send in
-- flight for the participant (their messages go one at a time).
--
-- Claims written before they were kept per participant were one string key per message
-- (`sent:<idempotency key>`); still read, as the entry's older claim, so that an unacknowledged
-- send straddling an upgrade is not taken for new.
--
-- KEYS
--   1 the participant's send claims (sorted set)
--   2 the entry's older claim
--   3 the participant's send in flight
-- ARGV
--   1 claim member
--   2 now (marker time)
--   3 TTL seconds
--   4 claims kept at most
-- Returns 1 when claimed now (and marked in flight); 0 when claimed before and finished (sent,
-- or maybe sent: the sender must not send it again); 2 when claimed before and still in flight:
-- the sender that claimed it stopped between the claim and recording the platform's answer.

local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('ZADD', KEYS[1], 'NX', now, ARGV[1]) == 0 then
  if redis.call('GET', KEYS[3]) == ARGV[1] then return 2 end
  return 0
end
if redis.call('ZCARD', KEYS[1]) > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -most - 1)
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[3], ARGV[1], 'EX', ttl)
return 1
