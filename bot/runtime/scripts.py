"""Lua scripts: the only multi-key writes Sauti makes. Each touches keys of one hash slot (one
shard's `{sN}` tag), so it is atomic on a single Redis and allowed on Redis Cluster."""

from __future__ import annotations

from bot.storage.lua import Script

# Markers and claims written before they were kept per participant were one string key per
# message (`e:<event id>`: "0" stored, "1" committed; `sent:<idempotency key>`). They are still
# read, as the last of the declared keys, so that a redelivery or an unacknowledged send
# straddling an upgrade is not taken for new; they expire on their own within the dedupe
# window, after which these reads find nothing.

# KEYS: 1 the participant's event markers, 2 inbound stream, 3 the event's older marker.
# ARGV: 1 marker member, 2 now (bot.runtime.markers.marker_time), 3 dedupe TTL seconds,
#       4 markers kept at most, then field/value pairs.
# Returns the new entry id, or nil when the platform message id was seen before. The marker's
# score is even (stored, not committed yet) until the commit makes it odd.
INGEST = Script("""
local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl) * 2)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  -- A write even so: a WAIT after it (SAUTI_ACK_REPLICAS) then waits for the replicas to
  -- reach this point, the first copy included, not for whatever its connection wrote before.
  redis.call('EXPIRE', KEYS[1], ttl)
  return false
end
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
redis.call('ZADD', KEYS[1], now * 2, ARGV[1])
if redis.call('ZCARD', KEYS[1]) > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -most - 1)
end
redis.call('EXPIRE', KEYS[1], ttl)
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
""")

# KEYS: 1 inbound stream, 2 the participant's event markers, 3 participant, 4 session,
#       5 answers, 6 counters, 7 respondents, 8 web chat inbox, 9 reply outbox, 10 the shard's
#       worker lease, 11 the event's older marker.
# ARGV: 1 group, 2 entry id, 3 marker member, 4 session JSON ('' = unchanged), 5 lease owner,
#       6 now (marker time), 7 marker TTL, then counted groups: participant field/value pairs,
#       answer field/value pairs, answer fields to delete, counter field/delta pairs, then the
#       respondent member ('' = none), then inbox items and the inbox cap, then outbox entries
#       (k, pid, ch, t, body each), and last the marker member of the participant's event just
#       before this one in the same batch ('' = none).
# Everything or nothing (keys of the wrong type are refused up front): a replayed event
# (odd marker) is only acknowledged again. A marker that is gone (an event replayed after the
# dedupe window, or never ingested) is created.
# Fencing: a worker whose lease another worker now holds commits nothing (returns -1); its
# entries stay pending for the new holder. An event whose predecessor in the batch did not
# commit commits nothing either (returns -2): it was worked out on top of that one's effects.
COMMIT = Script("""
local holder = redis.call('GET', KEYS[10])
if holder and holder ~= ARGV[5] then return -1 end
local seen = redis.call('ZSCORE', KEYS[2], ARGV[3])
if (seen and tonumber(seen) % 2 == 1) or redis.call('GET', KEYS[11]) == '1' then
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
                      [9] = 'stream'}) do
  local found = redis.call('TYPE', KEYS[k])['ok']
  if found ~= 'none' and found ~= kind then
    return redis.error_reply('WRONGTYPE commit key ' .. k .. ' holds a ' .. found)
  end
end
local i = 8
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4]) end
local n = tonumber(ARGV[i]); i = i + 1
if n > 0 then redis.call('HSET', KEYS[3], unpack(ARGV, i, i + 2 * n - 1)); i = i + 2 * n end
n = tonumber(ARGV[i]); i = i + 1
if n > 0 then redis.call('HSET', KEYS[5], unpack(ARGV, i, i + 2 * n - 1)); i = i + 2 * n end
n = tonumber(ARGV[i]); i = i + 1
if n > 0 then redis.call('HDEL', KEYS[5], unpack(ARGV, i, i + n - 1)); i = i + n end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1]); i = i + 2
end
if ARGV[i] ~= '' then redis.call('SADD', KEYS[7], ARGV[i]) end
i = i + 1
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
if seen then
  redis.call('ZADD', KEYS[2], tonumber(seen) + 1, ARGV[3])
else
  redis.call('ZADD', KEYS[2], tonumber(ARGV[6]) * 2 + 1, ARGV[3])
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
""")

# KEYS: 1 the participant's send claims, 2 the entry's older claim, 3 the participant's send in
#       flight.
# ARGV: 1 claim member, 2 now (marker time), 3 TTL seconds, 4 claims kept at most.
# 1 when claimed now (and marked in flight); 0 when claimed before and finished (sent, or maybe
# sent: the sender must not send it again); 2 when claimed before and still in flight: the
# sender that claimed it stopped between the claim and recording the platform's answer.
CLAIM = Script("""
local now, ttl, most = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('ZADD', KEYS[1], 'NX', now, ARGV[1]) == 0 then
  if redis.call('GET', KEYS[3]) == ARGV[1] then return 2 end
  return 0
end
if redis.call('ZCARD', KEYS[1]) > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -most - 1)
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[3], ARGV[1], 'EX', ttl)
return 1
""")

# KEYS: 1 outbox stream, 2 the participant's send in flight.  ARGV: 1 group, 2 entry id,
# 3 claim member ('' = none taken).
# The platform answered (or the entry needs no call): acknowledge the entry, and the send is no
# longer in flight. One round trip, as the acknowledgement alone was.
FINISH_SEND = Script("""
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
""")

# KEYS: 1 the participant's send claims, 2 the participant's send in flight.  ARGV: 1 claim
# member.  The platform took nothing: a later attempt (or a replay) may send it.
RELEASE_CLAIM = Script("""
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
""")

# KEYS: lease.  ARGV: owner, TTL ms.  Take a free lease or renew our own; 1 when held.
LEASE = Script("""
local owner = redis.call('GET', KEYS[1])
if owner == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1
end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1
end
return 0
""")

# KEYS: lease.  ARGV: owner.  Give a lease back only if it is still ours.
RELEASE = Script("""
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""")

# The pipeline's scripts, loaded once at start (a dead-letter replay is rare: it loads its own).
ALL = (INGEST, COMMIT, CLAIM, FINISH_SEND, RELEASE_CLAIM, LEASE, RELEASE)
