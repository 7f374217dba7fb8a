-- Copy one shard's counters of a campaign into the results snapshot being taken (number k), and
-- move the shard's changed set into the set of those that snapshot takes in
-- (bot/records/snapshots.py). Readers see snapshot k only once it is published, after every
-- shard is copied; until then the people moved stay counted as pending, so a crash before the
-- publication loses none of them: the next try copies again under the same number.
--
-- KEYS
--   1 the campaign's counters in the shard
--   2 its changed set (participants whose answers changed since the last snapshot)
--   3 the set of those snapshot k takes in
--   4 the shard's copy of snapshot k
--   5 the shard's copy of snapshot k - 2 (left over when a process stopped before tidying)
-- ARGV
--   1 how long a set of those taken in and a left-over copy are kept (seconds)
-- Returns how many the shard's snapshot k takes in.

if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('COPY', KEYS[1], KEYS[4], 'REPLACE')
else
  redis.call('DEL', KEYS[4])
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SUNIONSTORE', KEYS[3], KEYS[3], KEYS[2])
  redis.call('DEL', KEYS[2])
end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
if redis.call('TTL', KEYS[5]) == -1 then redis.call('EXPIRE', KEYS[5], ARGV[1]) end
return redis.call('SCARD', KEYS[3])
