-- Remember which Telegram message shows a question. The hash never holds more than the fields
-- allowed (it starts over with this one) and expires a TTL after the last question asked.
--
-- KEYS
--   1 the participant's question messages hash
-- ARGV
--   1 question id
--   2 value (message id and question text, JSON)
--   3 TTL seconds
--   4 fields kept at most
-- Returns 1.

redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HLEN', KEYS[1]) > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
