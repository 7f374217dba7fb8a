-- Use a web chat recovery code: when it is the participant's current one, it is used up and a
-- new private link becomes the only one that opens their page. Check and use in one step, so
-- a code entered twice at once opens one link.
--
-- KEYS
--   1 the participant record
-- ARGV
--   1 the keyed hash of the code entered
--   2 the keyed hash of the new link
-- Returns 1 when the code was theirs and is used, 0 otherwise (no such participant, erased,
-- or not their current code).

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'rc') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'rc')
redis.call('HSET', KEYS[1], 'lk', ARGV[2])
return 1
