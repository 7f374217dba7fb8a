-- A web chat quick exit, stored by the page's own answer before the worker takes the event in:
-- the participant is hidden from the exit's time on (`hid`), so the link shows only the neutral
-- page from the very next request. The worker's commit of the exit event writes the same time.
-- A record erased meanwhile is not brought back as a stub.
--
-- KEYS
--   1 the participant record
-- ARGV
--   1 the exit's time (ms, the event's received_at_ms)
-- Returns 1 when hidden now, 0 when there is no such participant (or erased).

if redis.call('HEXISTS', KEYS[1], 'wk') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'hid', ARGV[1])
return 1
