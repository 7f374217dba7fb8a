-- Retention: drop what of a campaign's feedback cases and concerns was personal, in one shard, a
-- page of the shard's cases at a time (bot/runtime/retention.py): the text (sealed with the
-- participant's data key), the desk's last message to them (`m`) and why a resolution left them
-- unsatisfied (`why`, both sealed the same way), who
-- raised it (`pid`, and the case's place among their own cases), their language and channel.
-- The case keeps its reference, campaign, status, category, urgency, steps, times and answers,
-- so the desk's figures stay, and gains `ret` (when retention removed the rest), so the desk
-- says why the text is gone. A concern also leaves the campaign's triage queue, with its
-- marks, open alert and its writer's `q:<case ref>`. Running it again finds nothing to drop
-- and changes nothing.
--
-- Pages go by score (the case's creation time), not by index: a case added during a run cannot
-- shift an unseen one to before the cursor. A page ends with every case of its last score, so
-- the next page starts strictly after it.
--
-- Case key names, and those of a participant's own cases (`pc:<pid>`), are built from the
-- shard's tag, in the declared key's hash slot.
--
-- KEYS
--   1 the shard's cases (sorted set of case references, scored by creation time)
-- ARGV
--   1 campaign id
--   2 the score the page starts after ('-inf' for the first page)
--   3 how many cases a page holds (more when cases share its last score)
--   4 the shard's tag (`sauti:{s3}`)
--   5 now, epoch ms
-- Returns {the page's last score ('' = that was the last page), cases stripped}.

local start = ARGV[2] == '-inf' and '-inf' or '(' .. ARGV[2]
local found = redis.call('ZRANGEBYSCORE', KEYS[1], start, '+inf', 'WITHSCORES', 'LIMIT', 0,
  tonumber(ARGV[3]))
if #found == 0 then return {'', 0} end
local last = found[#found]
local refs = {}
for i = 1, #found, 2 do
  if found[i + 1] ~= last then refs[#refs + 1] = found[i] end
end
for _, ref in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], last, last)) do
  refs[#refs + 1] = ref
end
local stripped = 0
for _, ref in ipairs(refs) do
  local case = ARGV[4] .. ':case:' .. ref
  if redis.call('HGET', case, 'cid') == ARGV[1] and redis.call('HEXISTS', case, 'ret') == 0 then
    local pid = redis.call('HGET', case, 'pid')
    if pid then
      redis.call('ZREM', ARGV[4] .. ':pc:' .. pid, ref)
      redis.call('HDEL', ARGV[4] .. ':n:' .. pid, 'q:' .. ref)
    end
    -- A concern leaves the campaign's triage queue, with its marks and open alert.
    redis.call('ZREM', ARGV[4] .. ':tq:' .. ARGV[1], ref)
    redis.call('HDEL', ARGV[4] .. ':tm:' .. ARGV[1], 'u:' .. ref, 's:' .. ref, 'd:' .. ref)
    redis.call('ZREM', ARGV[4] .. ':ta:' .. ARGV[1], ref)
    redis.call('HDEL', case, 'x', 'm', 'why', 'pid', 'lang', 'ch')
    redis.call('HSET', case, 'ret', ARGV[5])
    stripped = stripped + 1
  end
end
if #found / 2 < tonumber(ARGV[3]) then return {'', stripped} end
return {last, stripped}
