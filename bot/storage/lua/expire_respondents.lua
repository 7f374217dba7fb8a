-- Retention: erase the personal-level data of a campaign past its retention for one chunk of a
-- shard's respondents (bot/runtime/retention.py). Each respondent taken from the set is dealt
-- with whole in this call, so a run that stops between chunks leaves no one half done: the next
-- run goes on with whoever is still in the set.
--
-- For each respondent: their session, answers (with their sealed free text) and themes of the
-- campaign are deleted, their `c:<cid>` / `u:<cid>` fields removed, and what they were told of
-- the campaign's decisions dropped from their ledger. The result counters are NOT touched: the
-- aggregates stay (unlike a participant's own /delete, which takes their answers out).
-- When no other campaign of theirs is still kept (a `c:<id>` field, or the `cid` they are
-- joining, of a campaign not listed as erased), the whole participant goes as /delete takes them
-- (KeySchema.keys_of): the record with its wrapped data key and address, Telegram question
-- messages, web chat inbox, ledger, notice budget. Unless an event of theirs is stored but not yet committed (a worker may be holding
-- their record right now): then they stay in the set, and a later run erases them.
--
-- Key names are built from the shard's tag (KeySchema.tag), in the declared key's hash slot, as
-- plan.lua does (Redis Cluster serves them).
--
-- KEYS
--   1 the campaign's respondents set in the shard
-- ARGV
--   1 campaign id
--   2 how many respondents to take
--   3 the shard's tag (`sauti:{s3}`)
--   4 n = how many decision references of the campaign follow; 5 .. 4+n the references
--   5+n .. campaign ids whose data is already erased (their `c:` fields do not keep anyone)
-- Returns {respondents taken, participants erased whole, respondents put back for the next run,
-- respondents left in the set, {the keyed hashes of the web chat recovery codes of those erased
-- whole}, {the ids of the participants erased whole}}: the caller deletes the codes' index keys
-- (another slot each; webchat_recovery_code.lua) and purges the participants' entries from the
-- shard's streams (purge_participant_entries.lua).

local cid = ARGV[1]
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
-- participant is erased whole by a run after that.)
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

local taken = redis.call('SPOP', KEYS[1], tonumber(ARGV[2]))
local erased, whole = 0, 0
local deferred, codes, gone = {}, {}, {}
for _, pid in ipairs(taken) do
  local participant = tag .. ':p:' .. pid
  redis.call('DEL', tag .. ':s:' .. pid .. ':' .. cid, tag .. ':a:' .. cid .. ':' .. pid,
    tag .. ':th:' .. cid .. ':' .. pid)
  redis.call('HDEL', participant, 'c:' .. cid, 'u:' .. cid)
  redis.call('HDEL', tag .. ':n:' .. pid, unpack(ledger_fields))
  erased = erased + 1
  if redis.call('EXISTS', participant) == 1 and not still_kept(participant) then
    if busy(pid) then
      deferred[#deferred + 1] = pid
    else
      for digest in string.gmatch(redis.call('HGET', participant, 'rc') or '', '(%x+):%d+') do
        codes[#codes + 1] = digest
      end
      redis.call('DEL', participant, tag .. ':tg:q:' .. pid, tag .. ':wc:' .. pid,
        tag .. ':n:' .. pid, tag .. ':nb:' .. pid)
      whole = whole + 1
      gone[#gone + 1] = pid
    end
  end
end
if #deferred > 0 then redis.call('SADD', KEYS[1], unpack(deferred)) end
return {erased, whole, #deferred, redis.call('SCARD', KEYS[1]), codes, gone}
