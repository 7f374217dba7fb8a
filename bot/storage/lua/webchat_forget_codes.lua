-- Before an erasure commits: the participant's web chat recovery codes, for the worker to
-- delete their index keys (another slot, so not inside the erasure's own commands), and no
-- new code from now on (webchat_recovery_code.lua refuses while `rc` is "erasing"), so none
-- is added between this and the commit that deletes the record. Run again when the erasure
-- is replayed: it then finds none left to forget.
--
-- KEYS
--   1 the participant record
-- ARGV
--   none
-- Returns the keyed hashes of their live codes (empty when none, or no such participant).

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return {} end
local digests = {}
for digest in string.gmatch(redis.call('HGET', KEYS[1], 'rc') or '', '(%x+):%d+') do
  table.insert(digests, digest)
end
redis.call('HSET', KEYS[1], 'rc', 'erasing')
return digests
