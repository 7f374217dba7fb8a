-- Commit one inbound event: session, participant, answers, counters, respondent set, web chat
-- inbox, outbox entries, the event's marker made odd (committed) and the XACK, all or nothing
-- (keys of the wrong type are refused up front). A replayed event (odd marker) is only
-- acknowledged again. A marker that is gone (an event replayed after the dedupe window, or never
-- ingested) is created.
--
-- Fencing: a worker whose lease another worker now holds commits nothing (returns -1); its
-- entries stay pending for the new holder. An event whose predecessor in the batch did not
-- commit commits nothing either (returns -2): it was worked out on top of that one's effects.
--
-- KEYS
--   1 inbound stream
--   2 the participant's event markers
--   3 participant
--   4 session
--   5 answers
--   6 counters
--   7 respondents (of the campaign the event starts, else of the one the record names)
--   8 web chat inbox
--   9 reply outbox
--   10 the shard's worker lease
--   11 joiners who have not started (of the same campaign as 7)
--   12 the event's campaign's triage queue in the shard (sorted set)
--   13 its triage marks (hash)
--   14 its open safety alerts (sorted set)
--   15 the campaign's changed set in the shard: who changed its counters since the last
--      results snapshot (bot/records/snapshots.py)
-- ARGV
--   1 group
--   2 entry id
--   3 marker member
--   4 session as stored (bot/conversation/stored_sessions.py; '' = unchanged)
--   5 lease owner
--   6 now (marker time)
--   7 marker TTL
--   8.. counted groups: participant field/value pairs (a value '' removes the field; 'hid' is
--     never lowered, except to '0'), answer
--     field/value pairs, answers to delete before those are set (question ids: their chunks
--     go too), counter field/delta pairs; then the respondent member ('' = none); then the
--     joiner member ('' = none); then the changed member ('' = none: the counters do not move);
--     then inbox
--     items and the inbox cap; then outbox entries (k, pid, ch, t, body each); then triage
--     items to add (item, ms pairs) and items to take off (with their marks and alert: their
--     answer no longer counts); and last the marker member of the participant's event just
--     before this one in the same batch ('' = none).
-- Returns 1 committed, 0 committed before (acknowledged again), -1 the lease is another
-- worker's, -2 the event before it in the batch did not commit; an error reply (WRONGTYPE,
-- nothing written) when a key holds the wrong type.

local holder = redis.call('GET', KEYS[10])
if holder and holder ~= ARGV[5] then return -1 end
local seen = redis.call('ZSCORE', KEYS[2], ARGV[3])
if seen and tonumber(seen) % 2 == 1 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
local after = ARGV[#ARGV]
if after ~= '' then
  local previous = redis.call('ZSCORE', KEYS[2], after)
  if not (previous and tonumber(previous) % 2 == 1) then return -2 end
end
-- Redis keeps a script's writes made before an error: a key of the wrong type met halfway
-- would leave the session advanced and the answer lost. Refuse before writing anything.
for k, kind in pairs({[3] = 'hash', [5] = 'hash', [6] = 'hash', [7] = 'set', [8] = 'list',
                      [9] = 'stream', [11] = 'set', [12] = 'zset', [13] = 'hash',
                      [14] = 'zset', [15] = 'set'}) do
  local found = redis.call('TYPE', KEYS[k])['ok']
  if found ~= 'none' and found ~= kind then
    return redis.error_reply('WRONGTYPE commit key ' .. k .. ' holds a ' .. found)
  end
end
local i = 8
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4]) end
-- A participant field set to '' is removed instead: absent reads as empty everywhere, and a
-- field less keeps the hash smaller.
local n = tonumber(ARGV[i]); i = i + 1
local kept, emptied = {}, {}
for j = i, i + 2 * n - 1, 2 do
  -- A quick exit's time ('hid') is never lowered: the web page stores it before the exit's
  -- own event, and an earlier event loaded before that must not undo it. Only '0' (a
  -- come-back) clears it.
  local value = ARGV[j + 1]
  if ARGV[j] == 'hid' and value ~= '0' then
    local stored = tonumber(redis.call('HGET', KEYS[3], 'hid') or '0') or 1
    if stored > (tonumber(value) or 0) then value = tostring(stored) end
  end
  if value == '' then
    emptied[#emptied + 1] = ARGV[j]
  else
    kept[#kept + 1] = ARGV[j]; kept[#kept + 1] = value
  end
end
i = i + 2 * n
if #kept > 0 then redis.call('HSET', KEYS[3], unpack(kept)) end
if #emptied > 0 then redis.call('HDEL', KEYS[3], unpack(emptied)) end
-- Answers replaced or withdrawn go first, with the chunks of a free text (header
-- 'a<time>#<chunks>', fields '<question>#1'..: bot/conversation/stored_answers.py); then the
-- new fields are set.
local sets = tonumber(ARGV[i]); local first_set = i + 1; i = first_set + 2 * sets
n = tonumber(ARGV[i]); i = i + 1
for j = i, i + n - 1 do
  local question = ARGV[j]
  local old = redis.call('HGET', KEYS[5], question)
  local chunks = tonumber(old and string.match(old, '^a%-?%w+#(%d+)$') or 0)
  for c = 1, chunks do redis.call('HDEL', KEYS[5], question .. '#' .. c) end
  if old then redis.call('HDEL', KEYS[5], question) end
end
i = i + n
if sets > 0 then redis.call('HSET', KEYS[5], unpack(ARGV, first_set, first_set + 2 * sets - 1)) end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1]); i = i + 2
end
-- Whoever a record names a campaign for is someone its retention must reach: its respondents,
-- and its joiners who have not started it (the two sets never share a member).
local respondent, joiner = ARGV[i], ARGV[i + 1]
if respondent ~= '' then
  redis.call('SADD', KEYS[7], respondent)
  redis.call('SREM', KEYS[11], respondent)
elseif joiner ~= '' and redis.call('SISMEMBER', KEYS[7], joiner) == 0 then
  redis.call('SADD', KEYS[11], joiner)
end
-- Whoever moves the counters waits, with the others since the last snapshot, until enough of
-- them have for the readers' figures to move at all: no single answer shows by difference.
if ARGV[i + 2] ~= '' then redis.call('SADD', KEYS[15], ARGV[i + 2]) end
i = i + 3
n = tonumber(ARGV[i]); i = i + 1
if n > 0 then
  redis.call('RPUSH', KEYS[8], unpack(ARGV, i, i + n - 1)); i = i + n
  redis.call('LTRIM', KEYS[8], -tonumber(ARGV[i]), -1)
end
i = i + 1  -- past the inbox cap
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('XADD', KEYS[9], '*', 'k', ARGV[i], 'pid', ARGV[i + 1], 'ch', ARGV[i + 2],
    't', ARGV[i + 3], 'body', ARGV[i + 4])
  i = i + 5
end
-- The triage queue: a free-text answer given (again) goes in at its time; one withdrawn leaves
-- with its flags, link and open alert.
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('ZADD', KEYS[12], ARGV[i + 1], ARGV[i]); i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('ZREM', KEYS[12], ARGV[i])
  redis.call('HDEL', KEYS[13], 'u:' .. ARGV[i], 's:' .. ARGV[i], 'd:' .. ARGV[i],
    't:' .. ARGV[i])
  redis.call('ZREM', KEYS[14], ARGV[i])
  i = i + 1
end
if seen then
  redis.call('ZADD', KEYS[2], tonumber(seen) + 1, ARGV[3])
else
  redis.call('ZADD', KEYS[2], tonumber(ARGV[6]) * 2 + 1, ARGV[3])
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
