-- Claim an outbox entry's idempotency key just before the platform call, when the recipient's own
-- pace allows a message now, and mark the send in flight for the participant (their messages go
-- one at a time). One round trip for what were two scripts (the recipient's limiter, the claim).
--
-- The recipient's pace is GCRA on Redis's own clock, as rate_limit.lua: the limiter key holds
-- the "theoretical arrival time" of their next message; a pause (a 429's retry_after for this
-- recipient) holds their messages back for its TTL. An entry claimed and finished before is
-- answered without looking at the pace: nothing will be sent for it.
--
-- A claim lives only while its entry is pending (finish_send.lua removes it with the
-- acknowledgement): an entry no longer pending was acknowledged by a sender before, and is
-- answered "claimed before", so a copy read by a successor before then is not sent again.
--
-- Who may still get it is read here too, from the recipient's record, so that a quick exit or a
-- /stop committed while the entry waited refuses it atomically (a sender read the record earlier,
-- for a whole batch): a hidden recipient gets only the exit's own messages, an opted-out one no
-- bulk notice, and the clearing of the chat goes only while they are still hidden.
--
-- Fencing: a sender whose shard lease another sender now holds (it stalled past its lease)
-- claims nothing and is told so; the entry stays pending for the new holder, as a worker's
-- commit is fenced (commit.lua).
--
-- KEYS (all under the participant's shard hash tag)
--   1 send claims (sorted set)
--   2 send in flight
--   3 recipient's limiter (theoretical arrival time)
--   4 recipient's pause
--   5 the entry's outbox stream
--   6 the shard's sender lease
--   7 the recipient's participant record
-- ARGV
--   1 claim member
--   2 now (marker time, bot.runtime.markers)
--   3 TTL seconds
--   4 claims kept at most
--   5 recipient's interval ms
--   6 recipient's tolerance ms (burst)
--   7 ms the message has waited for a global slot since the recipient's pace allowed it: the
--     pace counts from then (as when it was checked before the global wait), so that waiting for
--     the channel does not also slow the recipient's next message down
--   8 the senders' group
--   9 the entry's id
--   10 this sender (the lease owner it writes)
--   11 what the entry is: 'q' part of a quick exit, 'c' the clearing of the chat, 'b' a bulk
--      notice, 'r' anything else
-- Returns {outcome, ms}:
-- (ms counted from when the pace allowed this message, ARGV 7)
--   {1, next}: claimed now and marked in flight; the recipient's next message may go in `next` ms
--   {0, 0}: claimed before and finished (sent, or maybe sent), or acknowledged already: the
--           sender must not send it again
--   {2, next}: claimed before and still in flight: the sender that claimed it stopped between the
--              claim and recording the platform's answer (counted against the pace: it may go again)
--   {3, wait}: not claimed: the recipient's pace allows their next message in `wait` ms
--   {4, 0}: not claimed: another sender holds the shard's lease now
--   {5, 1}: not claimed: the recipient is hidden by a quick exit
--   {5, 2}: not claimed: a bulk notice, and the recipient said stop
--   {5, 3}: not claimed: the clearing of the chat, and the recipient is no longer hidden

local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
local holder = redis.call('GET', KEYS[6])
if holder and holder ~= ARGV[10] then return {4, 0} end
local kind = ARGV[11]
local hid, stop = unpack(redis.call('HMGET', KEYS[7], 'hid', 'stop'))
local hidden = hid ~= false and hid ~= '' and hid ~= '0'
if kind == 'c' then
  if not hidden then return {5, 3} end
elseif kind ~= 'q' then
  if hidden then return {5, 1} end
  if kind == 'b' and stop == '1' then return {5, 2} end
end
if #redis.call('XPENDING', KEYS[5], ARGV[8], ARGV[9], ARGV[9], 1) == 0 then return {0, 0} end
local outcome = 1
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {0, 0} end
  outcome = 2
end

local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[7])
local paused = redis.call('PTTL', KEYS[4])
if paused > 0 then return {3, paused} end
local interval, tolerance = tonumber(ARGV[5]), tonumber(ARGV[6])
local tat = tonumber(redis.call('GET', KEYS[3]) or clock)
if tat < clock then tat = clock end
if tat - clock > tolerance then return {3, math.ceil(tat - clock - tolerance)} end
tat = tat + interval
redis.call('SET', KEYS[3], tat, 'PX', math.ceil(tat - clock + tolerance + 1000))

if outcome == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  if redis.call('ZCARD', KEYS[1]) > most then
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -most - 1)
  end
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ttl)
end
local next = tat - clock - tolerance
if next < 0 then next = 0 end
return {outcome, math.ceil(next)}
