-- Store a decision file as a new version, unless the latest version has this very source.
--
-- KEYS
--   1 the decision hash
-- ARGV
--   1 source
--   2 now ms
-- Returns {version, 1 if new else 0}.

local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
if latest > 0 and redis.call('HGET', KEYS[1], 'src:' .. latest) == ARGV[1] then
  return {latest, 0}
end
latest = latest + 1
redis.call('HSET', KEYS[1], 'latest', latest, 'src:' .. latest, ARGV[1], 'at:' .. latest, ARGV[2])
return {latest, 1}
