-- Apply one WhatsApp status webhook to a sent message's record, forward only (statuses come out
-- of order and more than once). A failed status may mark the participant unreachable, or queue
-- the sealed message again once; the first failed status drops the sealed copy.
--
-- KEYS
--   1 the message's status record
--   2 its sealed body
--   3 the shard's reply outbox
--   4 the participant
-- ARGV
--   1 status
--   2 its rank
--   3 error code or ''
--   4 '1' to mark unreachable
--   5.. outbox entry fields to queue it again (absent: not queued)
-- Returns -1 unknown message, 0 stale (a later status was applied already), 1 applied, 2
-- applied and queued again.

local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local record = cjson.decode(raw)
local rank = tonumber(ARGV[2])
if rank <= tonumber(record.r or 0) then return 0 end
record.r = rank
record.s = ARGV[1]
if ARGV[3] ~= '' then record.e = tonumber(ARGV[3]) end
redis.call('SET', KEYS[1], cjson.encode(record), 'KEEPTTL')
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HSET', KEYS[4], 'reach', 'unreachable')
end
local result = 1
if #ARGV > 4 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('XADD', KEYS[3], '*', unpack(ARGV, 5))
  result = 2
end
if rank == 4 then redis.call('DEL', KEYS[2]) end
return result
