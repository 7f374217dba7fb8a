-- Take an erased participant's session out of their campaign's result counters, and delete the
-- session, at once: the counters always equal what the stored sessions contribute
-- (bot/records/tally.py). Runs before the erasure's commit, in the same batch; safe to run twice
-- (a replayed erasure finds the session gone and changes nothing).
--
-- The erasure is a change to the results like an answer (bot/records/snapshots.py): it waits in
-- the campaign's changed set under a random mark that names nobody, in place of the
-- participant's id if that was there (still one person).
--
-- KEYS
--   1 the participant's session in the campaign
--   2 the campaign's counters in the participant's shard
--   3 the campaign's changed set in the shard
-- ARGV
--   1 the participant id; 2 the mark that stands for them in the changed set; then field/delta
--   pairs: what the session contributes, negated
-- Returns 1 when the session was there (counters changed, session deleted), 0 when it was not.
-- A counters key of another type than a hash (damaged) is left alone: the erasure goes on.

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local found = redis.call('TYPE', KEYS[2])['ok']
if found == 'none' or found == 'hash' then
  for i = 3, #ARGV, 2 do
    redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
local kind = redis.call('TYPE', KEYS[3])['ok']
if #ARGV > 2 and (kind == 'none' or kind == 'set') then
  redis.call('SREM', KEYS[3], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[2])
end
redis.call('DEL', KEYS[1])
return 1
