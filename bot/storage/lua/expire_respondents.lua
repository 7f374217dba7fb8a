-- Retention: erase the personal-level data of a campaign past its retention for one chunk of a
-- shard's people (bot/runtime/retention.py): its respondents first, then those who only joined
-- it (saw the data notice, never started; the commits keep the two sets apart). Each person taken from a set is dealt with whole in
-- this call, so a run that stops between chunks leaves no one half done: the next run goes on
-- with whoever is still in the sets.
--
-- A person with an event stored but not yet committed (a worker may be holding their record
-- right now) is put back untouched, before anything of theirs is deleted: the commit in flight
-- would otherwise write `c:<cid>` / `u:<cid>` back. A later run takes them.
--
-- For each other person: their session, answers (with their sealed free text) and themes of the
-- campaign are deleted (their answers' items leave the campaign's triage queue, with their
-- flags and open safety alerts), their `c:<cid>` / `u:<cid>` / `k:take:<cid>` / `k:quote:<cid>` fields
-- (joined, outcomes, taking part and quoting consents) removed, and what they were told of
-- the campaign's decisions dropped from their ledger. The result counters are NOT touched: the
-- aggregates stay (unlike a participant's own /delete, which takes their answers out). Two
-- aggregates that were read from what is erased here are kept in the counters hash, in the same
-- call: `ret:respondents` (respondents erased by retention: the loop report's contributors are
-- the set's size plus it) and `ret:theme:<theme>` (their answers tagged with the theme).
-- When no other campaign of theirs is still kept (a `c:<id>` field, or the `cid` they are
-- joining, of a campaign not listed as erased), the whole participant goes as /delete takes them
-- (KeySchema.keys_of): the record with its wrapped data key and address, Telegram question
-- messages and chat history, web chat inbox, ledger, notice budget, and the index of their own
-- grievance cases, whose cases stop naming them (includes/forget_cases.lua).
--
-- Key names are built from the shard's tag (KeySchema.tag), in the declared keys' hash slot, as
-- plan.lua does (Redis Cluster serves them).
--
-- KEYS
--   1 the campaign's respondents set in the shard
--   2 the campaign's joiners set in the shard
--   3 the campaign's counters in the shard
-- ARGV
--   1 campaign id
--   2 how many people to take
--   3 the shard's tag (`sauti:{s3}`)
--   4 n = how many decision references of the campaign follow; 5 .. 4+n the references
--   5+n .. campaign ids whose data is already erased (their `c:` fields do not keep anyone)
-- Returns {people taken, respondents erased, participants erased whole, people put back for the
-- next run, people left in the two sets, the ids of the participants erased whole, the keyed
-- hashes of their web chat recovery codes}: the caller deletes the codes' index keys (another
-- slot each; webchat_recovery_code.lua).

--- @include "includes/forget_cases.lua"

local cid = ARGV[1]
local want = tonumber(ARGV[2])
local tag = ARGV[3]
local nrefs = tonumber(ARGV[4])
local ledger_fields = {'c:' .. cid}
for i = 5, 4 + nrefs do
  ledger_fields[#ledger_fields + 1] = 'd:' .. ARGV[i]
  ledger_fields[#ledger_fields + 1] = 'r:' .. ARGV[i]
  ledger_fields[#ledger_fields + 1] = 'm:' .. ARGV[i]
end
local erased_campaigns = {[cid] = true}
for i = 5 + nrefs, #ARGV do erased_campaigns[ARGV[i]] = true end

-- An event stored (even score) and not yet committed: a worker may be working on it. (One that
-- went to the dead letters stays even until its marker expires, at most the dedupe window: the
-- participant is erased by a run after that.)
local function busy(pid)
  local scores = redis.call('ZRANGE', tag .. ':e:' .. pid, 0, -1, 'WITHSCORES')
  for i = 2, #scores, 2 do
    if tonumber(scores[i]) % 2 == 0 then return true end
  end
  return false
end

-- Another campaign of theirs is kept: one they started (`c:<id>`), or the one they are joining
-- now (`cid`, before its `c:` field is written).
local function still_kept(participant)
  for _, field in ipairs(redis.call('HKEYS', participant)) do
    if string.sub(field, 1, 2) == 'c:' and not erased_campaigns[string.sub(field, 3)] then
      return true
    end
  end
  local current = redis.call('HGET', participant, 'cid')
  return current and current ~= '' and not erased_campaigns[current] or false
end

-- Their themes on the campaign's answers, added to the kept theme counts before they go.
local function keep_themes(themes)
  for _, value in ipairs(redis.call('HVALS', themes)) do
    for theme in string.gmatch(value, '[^,]+') do
      redis.call('HINCRBY', KEYS[3], 'ret:theme:' .. theme, 1)
    end
  end
end

-- Their free-text answers off the campaign's triage queue, with their flags and open alerts,
-- as forget_triage.lua does (read from their answers before those go).
local function forget_triage(answers, pid)
  for _, field in ipairs(redis.call('HKEYS', answers)) do
    if not string.find(field, '#', 1, true) then
      local item = pid .. '/' .. field
      redis.call('ZREM', tag .. ':tq:' .. cid, item)
      redis.call('HDEL', tag .. ':tm:' .. cid, 'u:' .. item, 's:' .. item, 'd:' .. item,
        't:' .. item)
      redis.call('ZREM', tag .. ':ta:' .. cid, item)
    end
  end
end

local taken = redis.call('SPOP', KEYS[1], want)
local respondents = #taken
if respondents < want then
  for _, pid in ipairs(redis.call('SPOP', KEYS[2], want - respondents)) do
    taken[#taken + 1] = pid
  end
end
local erased, whole, gone, codes = 0, 0, {}, {}
local back_respondents, back_joiners = {}, {}
for n, pid in ipairs(taken) do
  local respondent = n <= respondents
  if busy(pid) then
    if respondent then
      back_respondents[#back_respondents + 1] = pid
    else
      back_joiners[#back_joiners + 1] = pid
    end
  else
    local participant = tag .. ':p:' .. pid
    local themes = tag .. ':th:' .. cid .. ':' .. pid
    if respondent then
      keep_themes(themes)
      erased = erased + 1
    end
    forget_triage(tag .. ':a:' .. cid .. ':' .. pid, pid)
    redis.call('DEL', tag .. ':s:' .. pid .. ':' .. cid, tag .. ':a:' .. cid .. ':' .. pid, themes)
    redis.call('HDEL', participant, 'c:' .. cid, 'u:' .. cid, 'k:take:' .. cid, 'k:quote:' .. cid)
    redis.call('HDEL', tag .. ':n:' .. pid, unpack(ledger_fields))
    if redis.call('EXISTS', participant) == 1 and not still_kept(participant) then
      for digest in string.gmatch(redis.call('HGET', participant, 'rc') or '', '(%x+):%d+') do
        codes[#codes + 1] = digest
      end
      redis.call('DEL', participant, tag .. ':tg:q:' .. pid, tag .. ':tg:h:' .. pid,
        tag .. ':wc:' .. pid,
        tag .. ':n:' .. pid, tag .. ':nb:' .. pid, tag .. ':iv:' .. pid)
      forget_cases(tag, pid)
      whole = whole + 1
      gone[#gone + 1] = pid
    end
  end
end
if erased > 0 then redis.call('HINCRBY', KEYS[3], 'ret:respondents', erased) end
if #back_respondents > 0 then redis.call('SADD', KEYS[1], unpack(back_respondents)) end
if #back_joiners > 0 then redis.call('SADD', KEYS[2], unpack(back_joiners)) end
local left = redis.call('SCARD', KEYS[1]) + redis.call('SCARD', KEYS[2])
return {#taken, erased, whole, #back_respondents + #back_joiners, left, gone, codes}
