"""Lua scripts: the only multi-key writes Sauti makes. Each touches keys of one hash slot (one
shard's `{sN}` tag), so it is atomic on a single Redis and allowed on Redis Cluster."""

from __future__ import annotations

from bot.storage.lua import Script

# KEYS: event marker, inbound stream.  ARGV: dedupe TTL seconds, then field/value pairs.
# Returns the new entry id, or nil when the platform message id was seen before. The marker is
# "0" (stored, not committed yet) until the commit sets it to "1", keeping its TTL: one key per
# event for both deduplication and "is it committed" (the web chat waits on it).
INGEST = Script("""
if redis.call('SET', KEYS[1], '0', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
end
return false
""")

# KEYS: 1 inbound stream, 2 event marker, 3 participant, 4 session, 5 answers, 6 counters,
#       7 respondents, 8 web chat inbox, 9 reply outbox, 10 the shard's worker lease.
# ARGV: 1 group, 2 entry id, 3 marker TTL, 4 session JSON ('' = unchanged), 5 lease owner,
#       then counted groups: participant field/value pairs, answer field/value pairs, answer
#       fields to delete, counter field/delta pairs, then the respondent member ('' = none),
#       then inbox items and the inbox cap, then outbox entries (k, pid, ch, t, body each).
# Everything or nothing: a replayed event (marker "1") is only acknowledged again. A marker that
# is gone (an event replayed after its TTL, or never ingested) is created, with the TTL.
# Fencing: a worker whose lease another worker now holds commits nothing (returns -1); its
# entries stay pending for the new holder.
COMMIT = Script("""
local holder = redis.call('GET', KEYS[10])
if holder and holder ~= ARGV[5] then return -1 end
if redis.call('GET', KEYS[2]) == '1' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  return 0
end
local i = 6
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
if not redis.call('SET', KEYS[2], '1', 'XX', 'KEEPTTL') then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
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
ALL = (INGEST, COMMIT, LEASE, RELEASE)
