-- Replace one hash field with its re-sealed form (a data key wrapped again under the current
-- master key, a secret sealed again under the current transit key), only if the field still
-- holds what was read: a participant erased or a secret changed meanwhile is left as it is now.
--
-- KEYS
--   1 the hash
-- ARGV
--   1 field
--   2 the value read before re-sealing
--   3 the re-sealed value
-- Returns 1 replaced, 0 changed or gone meanwhile (left alone).

if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
