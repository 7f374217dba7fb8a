-- Set one field of a hash only if the hash still exists: marks a participant unreachable unless
-- an erasure came first; an API token's last use unless it was revoked; a setup link's second
-- factor unless the link was spent (none of them comes back without its expiry).
--
-- KEYS
--   1 the hash (a participant)
-- ARGV
--   1 field
--   2 value
-- Returns what HSET returns (1 new field, 0 updated), or 0 when the hash is gone.

if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
