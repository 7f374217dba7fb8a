-- Move notices whose time has come from a shard's schedule to its bulk outbox, unless the
-- participant was erased, said /stop, withdrew consent or holds it only for an older text
-- (consent_outdated) meanwhile, or a newer version of the decision was fed to them since
-- (superseded). A notice that goes is counted as told now, if it
-- is their first of the decision (stats `told`, `days:<n>`), and `d:<ref>` records it told; one
-- dropped is not told at all (`d:<ref>` back to the version told before, or removed) and gives
-- its place in the weekly budget back. Either way its publication counts it: `sm|<channel>`
-- sent after the wait, `sx|<reason>` dropped.
--
-- Meta of a held notice: pid|channel|consent field (u:<campaign>)|first ('1': their first notice
-- of the decision; absent in notices held by older code, which counted them when held).
-- Participants' keys are named from the prefixes passed in (same hash slot as the declared keys).
--
-- KEYS
--   1 schedule sorted set
--   2 schedule bodies hash
--   3 bulk outbox stream
-- ARGV
--   1 now ms
--   2 at most this many
--   3 participant key prefix
--   4 told prefix
--   5 loop stats prefix (campaign id follows)
--   6 shard publication prefix ("<ref>:<version>" follows)
--   7 budget prefix
--   8 outcomes consent versions honoured (comma-separated)
-- Returns {moved, dropped, when the next notice is due (ms; -1: none held)}.

local now = tonumber(ARGV[1])
local honoured = {}
for v in string.gmatch(ARGV[8], '[^,]+') do honoured[v] = true end
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
    -- The consent is "<1|0>|<version>|<epoch s>", or a bare "1" / "0" from before versions.
    local given = p[3] or ''
    local agreed_to = string.match(given, '^%d|([^|]*)') or '0'
    local reason = nil
    if recorded and recorded > tonumber(version) then reason = 'superseded'
    elseif not p[1] then reason = 'erased'
    elseif p[2] == '1' then reason = 'opted_out'
    elseif string.sub(given, 1, 1) ~= '1' then reason = 'no_consent'
    elseif not honoured[agreed_to] then reason = 'consent_outdated' end
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
local next_due = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
return {moved, dropped, next_due and tonumber(next_due) or -1}
