-- Commit one fed batch of a shard's targets: compare-and-set of the feed cursor, so a batch is
-- committed once even if two publishers raced or one crashed after reading.
--
-- A notice held back (s) is not counted as told (stats `told`, `days:<n>`) until move_due.lua
-- sends it: it may yet be dropped. Its `d:<ref>` is set now all the same, so nobody is fed it
-- twice, marked held with the version they were told before it ("<told value>|h<earlier
-- version>", 0 for none): "Update:" and the loop figures go by what they were really told.
-- Participants' keys are named from the prefixes passed in (same hash slot as the declared keys).
--
-- KEYS
--   1 the shard's publication hash
--   2 bulk outbox stream
--   3 schedule sorted set
--   4 schedule bodies hash
--   5 the campaign's loop stats hash
-- ARGV
--   1 expected feed cursor
--   2 new cursor
--   3 told prefix
--   4 budget prefix
--   5 web chat inbox prefix
--   6 decision field (d:<ref>)
--   7 campaign field (c:<campaign>)
--   8 version
--   9 now ms
--   10 week ms
--   11 inbox cap
--   12 consent field
--   13.. 9 values per item: pid, action (o: outbox now, s: later, w: web chat inbox,
--     x: skipped), told value, days from answer to notice, due ms, idempotency key, channel,
--     body, counter label
-- Returns -1 when the cursor moved (someone else fed this batch), else the items written.

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
