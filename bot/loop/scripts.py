"""Lua scripts of loop closure. Each runs on one shard and touches only keys under that shard's
hash tag `{sN}`; the planner and feeder derive participants' key names from prefixes passed in
(`LoopKeys.participant_prefixes`), so a chunk of a million-member set needs no key list. Those
keys share the declared keys' hash slot, so Redis Cluster serves them (scripts without a
shebang may touch undeclared keys of the node; see docs/decisions.md).
"""

from __future__ import annotations

from bot.storage.lua import Script

# The rule evaluator shared by PLAN (see bot/loop/rules.py for the program's shape).
_EVAL = """
local find, byte, sub = string.find, string.byte, string.sub
local call = redis.call

local function prepare(node)
  if node.k == 'in' or node.k == 'all' then
    node.quoted, node.whole = {}, {}
    for i, v in ipairs(node.v) do
      node.quoted[i] = '"' .. v .. '"'
      node.whole[i] = '"' .. v .. '"}'
    end
  end
  if node.c then for _, child in ipairs(node.c) do prepare(child) end end
end

-- Answers are read as the commit writes them: {"o":"answered","t":<s>,"v":<json>}, or without
-- "v" when skipped, declined or free text ("x"). Plain string searches, without decoding JSON
-- or copying the value, are several times faster; option ids cannot hold quotes
-- (dialogues/question_rules.py), so '"<id>"' after '"v":' is exact.
local function chosen(raw, at, i, node)
  local first = byte(raw, at + 1)
  if first == 91 then  -- '[': a multiple choice
    return find(raw, node.quoted[i], at + 1, true) ~= nil
  end
  return first == 34 and find(raw, node.whole[i], at + 1, true) == at + 1
end

local function holds(node, answer, tagged)
  local k = node.k
  if k == 'or' then
    local children = node.c
    for i = 1, #children do if holds(children[i], answer, tagged) then return true end end
    return false
  elseif k == 'and' then
    local children = node.c
    for i = 1, #children do if not holds(children[i], answer, tagged) then return false end end
    return true
  elseif k == 'not' then
    return not holds(node.c[1], answer, tagged)
  elseif k == 'tag' then
    return tagged(node.q, node.v)
  end
  local raw = answer(node.q)
  if k == 'ans' then
    local answered = raw ~= nil and find(raw, '"o":"answered"', 1, true) ~= nil
    return answered == (node.v == 1)
  end
  if not raw then return false end
  local _, at = find(raw, '"v":', 1, true)
  if not at then return false end
  if k == 'num' then
    local number = tonumber(sub(raw, at + 1, -2))
    if number == nil then return false end
    if node.lo ~= nil and number < node.lo then return false end
    if node.hi ~= nil and number > node.hi then return false end
    return true
  end
  local quoted = node.quoted
  if k == 'in' then
    for i = 1, #quoted do if chosen(raw, at, i, node) then return true end end
    return false
  end
  for i = 1, #quoted do if not chosen(raw, at, i, node) then return false end end
  return true
end
"""

# Plan (or just count) one chunk of a shard's respondents: SSCAN from a cursor, decide for
# each whether the decision is linked to them and whether they can be told, and count.
# KEYS: 1 respondents set, 2 the shard's publication hash, 3 its targets list.
# ARGV: 1 mode ('count' | 'write'), 2 cursor (count mode), 3 SSCAN COUNT, 4 participant key
#   prefix, 5 answers prefix, 6 themes prefix, 7 budget prefix, 8 consent field, 9 rule program
#   JSON ('' = explicit responses only), 10 questions the rule reads (JSON list), 11 now ms,
#   12 week ms, 13 weekly budget, 14 samples wanted, 15.. explicitly linked participant ids.
# Returns {next cursor ('0' = done), {name, count, ...}, {sampled participant ids}}. Count mode
# also counts push targets per their own time zone (`z|<tz>`, `z|` = none: the campaign's).
# Write mode keeps the cursor in the publication hash, appends the chunk's targets to the list
# and adds the counts to the hash, all at once: a crash between chunks loses nothing and counts
# nothing twice. (SSCAN may return a member twice while the set is being resized: the feeder's
# script skips anyone already told, so that costs a count, never a second notice.)
PLAN = Script(
    _EVAL
    + """
local mode = ARGV[1]
local cursor = ARGV[2]
if mode == 'write' then
  cursor = redis.call('HGET', KEYS[2], 'scan') or '0'
  if cursor == 'done' then return {'0', {}, {}} end
end
local program = nil
if ARGV[9] ~= '' then program = cjson.decode(ARGV[9]); prepare(program) end
local questions = cjson.decode(ARGV[10])
local asks = #questions > 0
local index = {}
for i, q in ipairs(questions) do index[q] = i end
local now, week, budget = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local wanted_samples = tonumber(ARGV[14])
local explicit = {}
for i = 15, #ARGV do explicit[ARGV[i]] = true end
local answers_prefix, themes_prefix = ARGV[5], ARGV[6]
local participant_prefix, budget_prefix, consent = ARGV[4], ARGV[7], ARGV[8]
local planned = {}  -- this chunk's targets, appended with one RPUSH
local linked_count, late = 0, 0
local excluded, targets, samples, zones = {}, {}, {}, {}

-- The participant being looked at (functions are made once, not per participant).
local pid, values, tags = nil, nil, nil
local function answer(q)
  local i = index[q]
  if i == nil or not values then return nil end
  return values[i] or nil
end
local function tagged(q, theme)
  if tags == nil then
    tags = {}
    local flat = redis.call('HGETALL', themes_prefix .. pid)
    for i = 1, #flat, 2 do tags[flat[i]] = ',' .. flat[i + 1] .. ',' end
  end
  local needle = ',' .. theme .. ','
  if q then return tags[q] ~= nil and string.find(tags[q], needle, 1, true) ~= nil end
  for _, list in pairs(tags) do
    if string.find(list, needle, 1, true) then return true end
  end
  return false
end

local scanned = redis.call('SSCAN', KEYS[1], cursor, 'COUNT', ARGV[3])
local members = scanned[2]
for m = 1, #members do
  pid = members[m]
  local linked = explicit[pid] == true
  if not linked and program then
    values, tags = nil, nil
    if asks then values = call('HMGET', answers_prefix .. pid, unpack(questions)) end
    linked = holds(program, answer, tagged)
  end
  if linked then
    -- 'ch' is written with the data key and only erasure removes it: absent = erased.
    local f = call('HMGET', participant_prefix .. pid, 'ch', 'lang', 'stop', 'reach', consent, 'tz')
    local channel, language = f[1], f[2] or ''
    local reason = nil
    if not channel then reason = 'erased'
    elseif f[5] ~= '1' then reason = 'no_consent'
    elseif f[3] == '1' then reason = 'opted_out'
    elseif f[4] == 'unreachable' then reason = 'unreachable' end
    do
      linked_count = linked_count + 1
      if reason then
        excluded[reason] = (excluded[reason] or 0) + 1
      else
        local by_language = targets[channel]
        if not by_language then by_language = {}; targets[channel] = by_language end
        by_language[language] = (by_language[language] or 0) + 1
        -- Only the preview counts spent budgets and time zones (quiet hours are per person):
        -- publishing paces each notice when fed.
        if mode == 'count' and channel ~= 'webchat' then
          if budget > 0 and call('ZCOUNT', budget_prefix .. pid, now - week, '+inf') >= budget then
            late = late + 1
          end
          local own_zone = f[6] or ''
          zones[own_zone] = (zones[own_zone] or 0) + 1
        end
        if #samples < wanted_samples then samples[#samples + 1] = pid end
        if mode == 'write' then planned[#planned + 1] = pid end
      end
    end
  end
end

local flat = {}
local function emit(name, n)
  if n > 0 then flat[#flat + 1] = name; flat[#flat + 1] = n end
end
emit('linked', linked_count)
emit('late|budget', late)
for reason, n in pairs(excluded) do emit('x|' .. reason, n) end
for channel, by_language in pairs(targets) do
  for language, n in pairs(by_language) do emit('t|' .. language .. '|' .. channel, n) end
end
for own_zone, n in pairs(zones) do emit('z|' .. own_zone, n) end
if mode == 'write' then
  for i = 1, #flat, 2 do redis.call('HINCRBY', KEYS[2], flat[i], flat[i + 1]) end
  local seq = redis.call('LLEN', KEYS[3])
  if #planned > 0 then seq = redis.call('RPUSH', KEYS[3], unpack(planned)) end
  local next_cursor = scanned[1]
  if next_cursor == '0' then next_cursor = 'done' end
  redis.call('HSET', KEYS[2], 'scan', next_cursor, 'seq', seq)
end
return {scanned[1], flat, samples}
"""
)

# Commit one fed batch of a shard's targets: compare-and-set of the feed cursor, so a batch is
# committed once even if two publishers raced or one crashed after reading.
# KEYS: 1 the shard's publication hash, 2 bulk outbox stream, 3 schedule sorted set,
#       4 schedule bodies hash, 5 the campaign's loop stats hash.
# ARGV: 1 expected feed cursor, 2 new cursor, 3 told prefix, 4 budget prefix, 5 web chat inbox
#   prefix, 6 decision field (d:<ref>), 7 campaign field (c:<campaign>), 8 version, 9 now ms,
#   10 week ms, 11 inbox cap, 12 consent field, then 9 values per item:
#   pid, action (o: outbox now, s: later, w: web chat inbox, x: skipped), told value,
#   days from answer to notice, due ms, idempotency key, channel, body, counter label.
# A notice held back (s) is not counted as told (stats `told`, `days:<n>`) until MOVE_DUE sends
# it: it may yet be dropped. Its `d:<ref>` is set now all the same, so nobody is fed it twice,
# marked held with the version they were told before it ("<told value>|h<earlier version>",
# 0 for none): "Update:" and the loop figures go by what they were really told.
# Returns -1 when the cursor moved (someone else fed this batch), else the items written.
FEED = Script("""
local fed = redis.call('HGET', KEYS[1], 'fed') or '0'
if fed ~= ARGV[1] then return -1 end
local version, now, week = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local counts = {}
local function count(name) counts[name] = (counts[name] or 0) + 1 end
local written = 0
for i = 13, #ARGV, 9 do
  local pid, action, told, days, due = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local key, channel, body, label = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  if action == 'x' then
    count(label)
  else
    local told_key = ARGV[3] .. pid
    local before = redis.call('HGET', told_key, ARGV[6])
    if before and tonumber(string.match(before, '^(%d+)')) >= version then
      count('dup')
    else
      -- The version they were really told before this one (a held one does not count).
      local earlier = 0
      if before then
        earlier = tonumber(string.match(before, '|h(%d+)$') or string.match(before, '^(%d+)'))
      end
      local first = earlier == 0
      if first and action ~= 's' then
        redis.call('HINCRBY', KEYS[5], 'days:' .. days, 1)
        if redis.call('HSETNX', told_key, ARGV[7], now) == 1 then
          redis.call('HINCRBY', KEYS[5], 'told', 1)
        end
      end
      if action == 's' then told = told .. '|h' .. earlier end
      redis.call('HSET', told_key, ARGV[6], told)
      if action == 'w' then
        redis.call('RPUSH', ARGV[5] .. pid, body)
        redis.call('LTRIM', ARGV[5] .. pid, -tonumber(ARGV[11]), -1)
      else
        local budget = ARGV[4] .. pid
        redis.call('ZADD', budget, due, key)
        redis.call('ZREMRANGEBYSCORE', budget, '-inf', now - week)
        -- Relative, not PEXPIREAT: Redis's clock need not agree with ours. Only ever extended,
        -- so a notice scheduled far ahead keeps its place in the budget.
        local keep = tonumber(due) - now + week
        if redis.call('PTTL', budget) < keep then redis.call('PEXPIRE', budget, keep) end
        if action == 'o' then
          redis.call('XADD', KEYS[2], '*', 'k', key, 'pid', pid, 'ch', channel, 't', now,
            'body', body)
        else
          redis.call('ZADD', KEYS[3], due, key)
          redis.call('HSET', KEYS[4],
            'm:' .. key, pid .. '|' .. channel .. '|' .. ARGV[12] .. '|' .. (first and '1' or '0'),
            'b:' .. key, body)
        end
      end
      count(label)
      written = written + 1
    end
  end
end
for name, n in pairs(counts) do redis.call('HINCRBY', KEYS[1], name, n) end
redis.call('HSET', KEYS[1], 'fed', ARGV[2])
return written
""")

# Move notices whose time has come from a shard's schedule to its bulk outbox, unless the
# participant was erased, said /stop or withdrew consent meanwhile, or a newer version of the
# decision was fed to them since (superseded). A notice that goes is counted as told now, if it
# is their first of the decision (stats `told`, `days:<n>`), and `d:<ref>` records it told;
# one dropped is not told at all (`d:<ref>` back to the version told before, or removed) and
# gives its place in the weekly budget back. Either way its publication counts it:
# `sm|<channel>` sent after the wait, `sx|<reason>` dropped.
# KEYS: 1 schedule sorted set, 2 schedule bodies hash, 3 bulk outbox stream.
# ARGV: 1 now ms, 2 at most this many, 3 participant key prefix, 4 told prefix, 5 loop stats
#   prefix (campaign id follows), 6 shard publication prefix ("<ref>:<version>" follows),
#   7 budget prefix.
# Meta of a held notice: pid|channel|consent field (u:<campaign>)|first ('1': their first
# notice of the decision; absent in notices held by older code, which counted them when held).
# Returns {moved, dropped}.
MOVE_DUE = Script("""
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local moved, dropped = 0, 0
for _, key in ipairs(due) do
  local meta = redis.call('HGET', KEYS[2], 'm:' .. key)
  local body = redis.call('HGET', KEYS[2], 'b:' .. key)
  if meta and body then
    local pid, channel, consent, first = string.match(meta, '^([^|]*)|([^|]*)|([^|]*)|?(.*)$')
    local ref, version = string.match(key, '^d:([^:]+):(%d+):')
    local publication = ref and (ARGV[6] .. ref .. ':' .. version)
    local told_key, field = ARGV[4] .. pid, 'd:' .. (ref or '')
    local record = ref and redis.call('HGET', told_key, field)
    local recorded = record and tonumber(string.match(record, '^(%d+)'))
    local p = redis.call('HMGET', ARGV[3] .. pid, 'wk', 'stop', consent)
    local reason = nil
    if recorded and recorded > tonumber(version) then reason = 'superseded'
    elseif not p[1] then reason = 'erased'
    elseif p[2] == '1' then reason = 'opted_out'
    elseif p[3] ~= '1' then reason = 'no_consent' end
    if not reason then
      redis.call('XADD', KEYS[3], '*', 'k', key, 'pid', pid, 'ch', channel, 't', ARGV[1],
        'body', body)
      if record then
        local answered = tonumber(string.match(record, '^%d+|%d+|(%d+)')) or math.floor(now / 1000)
        if first == '1' then
          local days = math.max(0, math.floor((now / 1000 - answered) / 86400))
          local campaign = string.sub(consent, 3)
          local stats = ARGV[5] .. campaign
          redis.call('HINCRBY', stats, 'days:' .. days, 1)
          if redis.call('HSETNX', told_key, 'c:' .. campaign, now) == 1 then
            redis.call('HINCRBY', stats, 'told', 1)
          end
        end
        redis.call('HSET', told_key, field, version .. '|' .. now .. '|' .. answered)
      end
      if publication then redis.call('HINCRBY', publication, 'sm|' .. channel, 1) end
      moved = moved + 1
    else
      if recorded == tonumber(version) then  -- this held notice's record: back to the one before
        local earlier = tonumber(string.match(record, '|h(%d+)$') or '0')
        if earlier > 0 then
          redis.call('HSET', told_key, field, earlier .. string.match(record, '^%d+(|%d+|%d+)'))
        else
          redis.call('HDEL', told_key, field)
        end
      end
      redis.call('ZREM', ARGV[7] .. pid, key)
      if publication then redis.call('HINCRBY', publication, 'sx|' .. reason, 1) end
      dropped = dropped + 1
    end
  end
  redis.call('ZREM', KEYS[1], key)
  redis.call('HDEL', KEYS[2], 'm:' .. key, 'b:' .. key)
end
return {moved, dropped}
""")

# Everything the feeder needs about a batch of targets, in one round trip (a pipeline of four
# commands per target costs the client far more than Redis).
# KEYS: 1 the shard's publication hash (only to route the call to the shard's node).
# ARGV: 1 participant prefix, 2 answers prefix, 3 told prefix, 4 budget prefix, 5 themes
#   prefix ('' = not needed), 6 told field (d:<ref>), 7 budget from (ms), 8 number of
#   participant fields, then those fields, then the number of answer fields (0 = all), then
#   those, then the participant ids.
# Returns per participant {participant fields, answers (field, value, ...), told value,
#   budget times, themes (field, value, ...)}.
LOAD = Script("""
local i = 8
local fields = {}
for n = 1, tonumber(ARGV[i]) do fields[n] = ARGV[i + n] end
i = i + #fields + 1
local questions = {}
for n = 1, tonumber(ARGV[i]) do questions[n] = ARGV[i + n] end
i = i + #questions + 1
local out = {}
for n = i, #ARGV do
  local pid = ARGV[n]
  local answers
  if #questions > 0 then
    answers = {}
    local values = redis.call('HMGET', ARGV[2] .. pid, unpack(questions))
    for q = 1, #questions do
      if values[q] then answers[#answers + 1] = questions[q]; answers[#answers + 1] = values[q] end
    end
  else
    answers = redis.call('HGETALL', ARGV[2] .. pid)
  end
  local themes = {}
  if ARGV[5] ~= '' then themes = redis.call('HGETALL', ARGV[5] .. pid) end
  out[#out + 1] = {
    redis.call('HMGET', ARGV[1] .. pid, unpack(fields)),
    answers,
    redis.call('HGET', ARGV[3] .. pid, ARGV[6]),
    redis.call('ZRANGEBYSCORE', ARGV[4] .. pid, ARGV[7], '+inf', 'WITHSCORES'),
    themes,
  }
end
return out
""")
