-- An erased participant's entries waiting in their shard's streams, and their notices held back
-- for later, removed at once rather than left until trimmed: each is sealed with the transit key,
-- which the master key still derives, so while it exists it can be read. Stream entries name
-- their participant in the clear field `pid`; held notices in their `m:<key>` field.
--
-- XDEL only marks an entry deleted inside its listpack node: the bytes stay in memory until the
-- node is emptied, and an RDB (or an AOF's RDB preamble) would save them. The embedded Redis
-- rewrites its AOF without an RDB preamble for this reason (bot/storage/embedded_redis.py).
--
-- KEYS (all in the participant's shard slot)
--   1 inbound stream
--   2 outbox stream, replies
--   3 outbox stream, bulk notices
--   4 dead letters (inbound events)
--   5 dead letters (outgoing messages)
--   6 held notices: sorted set of idempotency keys
--   7 held notices: their `m:<key>` and `b:<key>` fields
-- ARGV
--   1 participant id
--   2 the inbound entry id being committed now ("" for none): kept, its commit acknowledges it
--   3 consumer group of the inbound stream (workers)
--   4 consumer group of the outbox streams (senders)
--   5 the event id being committed now ("" for none): outbox entries it queues (idempotency
--     keys `<event id>:<n>`, the goodbye) are kept. This script may run again after that
--     commit (a batch retried whole when Redis did not know a script yet).
--   6 .. more participant ids of the same shard, purged in the same pass (retention)
-- Returns the number of entries and held notices removed.

local keep = ARGV[2]
local erased = {[ARGV[1]] = true}
for i = 6, #ARGV do erased[ARGV[i]] = true end
local own = ARGV[5] ~= '' and (ARGV[5] .. ':') or nil
local removed = 0
local page = 500

-- `keep`: an entry id of the inbound stream only (ids are times: another stream may well hold
-- an entry with the same id).
local function purge(stream, group, kept)
  if redis.call('EXISTS', stream) == 0 then return end
  local start = '-'
  while true do
    local entries = redis.call('XRANGE', stream, start, '+', 'COUNT', page)
    if #entries == 0 then return end
    local last
    for _, entry in ipairs(entries) do
      local id, fields = entry[1], entry[2]
      last = id
      local named, queued_now = false, false
      for i = 1, #fields, 2 do
        if fields[i] == 'pid' then
          named = erased[fields[i + 1]] or false
        elseif fields[i] == 'k' and own then
          queued_now = string.sub(fields[i + 1], 1, #own) == own
        end
      end
      if named and id ~= kept and not queued_now then
        if group then pcall(redis.call, 'XACK', stream, group, id) end
        redis.call('XDEL', stream, id)
        removed = removed + 1
      end
    end
    if #entries < page then return end
    start = '(' .. last
  end
end

purge(KEYS[1], ARGV[3], keep)
purge(KEYS[2], ARGV[4], nil)
purge(KEYS[3], ARGV[4], nil)
purge(KEYS[4], nil, nil)
purge(KEYS[5], nil, nil)

-- Only the small `m:` fields are read (HSCAN MATCH), not the sealed bodies beside them: the
-- hash holds every notice waiting in the shard, and this runs inside an erasure's commit.
local cursor = '0'
repeat
  local reply = redis.call('HSCAN', KEYS[7], cursor, 'MATCH', 'm:*', 'COUNT', page)
  cursor = reply[1]
  local held = reply[2]
  for i = 1, #held, 2 do
    local name, value = held[i], held[i + 1]
    local owner = string.match(value, '^([^|]*)|')
    if owner and erased[owner] then
      local key = string.sub(name, 3)
      redis.call('HDEL', KEYS[7], name, 'b:' .. key)
      redis.call('ZREM', KEYS[6], key)
      removed = removed + 1
    end
  end
until cursor == '0'
return removed
