-- Make a new web chat recovery code the participant's current one (the web chat's "Get a
-- recovery code"): only while their record holds a data key, so a code asked for as the
-- participant is being erased leaves no record behind.
--
-- KEYS
--   1 the participant record
-- ARGV
--   1 the keyed hash of the new code
-- Returns false when there is no such participant (or no longer), else the keyed hash of the
-- code it replaces ("" for none), whose key the caller deletes.

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return false end
local previous = redis.call('HGET', KEYS[1], 'rc') or ''
redis.call('HSET', KEYS[1], 'rc', ARGV[1])
return previous
