-- Plan (or just count) one chunk of a shard's respondents: SSCAN from a cursor, decide for each
-- whether the decision is linked to them and whether they can be told (not erased, consenting,
-- not opted out, reachable, not hidden by a quick exit), and count.
--
-- Participants' key names are built from the prefixes passed in (KeySchema.participant_prefixes),
-- so a chunk of a million-member set needs no key list. Those keys share the declared keys' hash
-- slot, so Redis Cluster serves them (scripts without a shebang may touch undeclared keys of the
-- node; see docs/decisions.md).
--
-- Count mode also counts push targets per their own time zone (`z|<tz>`, `z|` = none: the
-- campaign's). Write mode keeps the cursor in the publication hash, appends the chunk's targets
-- to the list and adds the counts to the hash, all at once: a crash between chunks loses nothing
-- and counts nothing twice. (SSCAN may return a member twice while the set is being resized:
-- the feeder's script skips anyone already told, so that costs a count, never a second notice.)
--
-- KEYS
--   1 respondents set
--   2 the shard's publication hash
--   3 its targets list
-- ARGV
--   1 mode ('count' | 'write')
--   2 cursor (count mode)
--   3 SSCAN COUNT
--   4 participant key prefix
--   5 answers prefix
--   6 themes prefix
--   7 budget prefix
--   8 consent field
--   9 rule program JSON ('' = explicit responses only)
--   10 questions the rule reads (JSON list)
--   11 now ms
--   12 week ms
--   13 weekly budget
--   14 samples wanted
--   15 outcomes consent versions honoured (comma-separated)
--   16.. explicitly linked participant ids
-- Returns {next cursor ('0' = done), {name, count, ...}, {sampled participant ids}}.

--- @include "includes/rule_evaluator.lua"
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
for i = 16, #ARGV do explicit[ARGV[i]] = true end
local honoured = {}
for v in string.gmatch(ARGV[15], '[^,]+') do honoured[v] = true end
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
    local f = call('HMGET', participant_prefix .. pid, 'ch', 'lang', 'stop', 'reach', consent, 'tz',
      'hid')
    local channel, language = f[1], f[2] or ''
    -- The consent is "<1|0>|<version>|<epoch s>", or a bare "1" / "0" from before versions.
    local given = f[5] or ''
    local version = string.match(given, '^%d|([^|]*)') or '0'
    local reason = nil
    if not channel then reason = 'erased'
    elseif string.sub(given, 1, 1) ~= '1' then reason = 'no_consent'
    elseif not honoured[version] then reason = 'consent_outdated'
    elseif f[3] == '1' then reason = 'opted_out'
    elseif f[4] == 'unreachable' then reason = 'unreachable'
    elseif f[7] and f[7] ~= '' and f[7] ~= '0' then reason = 'hidden' end  -- quick exit time
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
