-- The migration to schema 5 (bot/runtime/migrations.py): list one case among the cases of who
-- raised it, only while they are still there. A case raised by someone erased before erasure
-- stripped their cases still names them; their record is gone (or holds no data key), and
-- listing it again would show it to whoever writes later from the same number. ZADD NX: safe to
-- run again, and beside commits adding new cases.
--
-- KEYS
--   1 the case hash
--   2 the participant's hash
--   3 the participant's own cases (`pc:<pid>`)
-- ARGV
--   1 the participant id
--   2 the case's creation time, ms (its score)
--   3 the case reference
-- Returns 1 when it was listed, 0 otherwise.

if (redis.call('HGET', KEYS[1], 'pid') or '') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[2], 'wk') == 0 then return 0 end
return redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[3])
