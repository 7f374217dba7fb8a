-- desk_place(case) and desk_move(case, before): a grievance case's place on its organisation's
-- desk, and keeping that place in the desk's index (docs/keys.md, `desk`).
--
-- The index is a sorted set per shard and organisation, `<tag>:desk:<org>`, every score 0, so
-- its members sort by their text: `<rank>:<due ms, 13 digits>:<reference>`, where rank is 0 for
-- an open case flagged safety, 1 open and urgent, 2 open, 3 not owed an answer now (resolved,
-- escalated). The desk reads it in that order: safety first, then urgent, each by due time (the
-- most overdue first), then the rest. bot.records.desk.desk_place writes the same text.
-- A case of no organisation (raised outside any campaign) has no `org` and no place. Every key
-- is built from the case key's tag, in its hash slot.
-- Its companion `<tag>:desk:<org>:moved` scores each case by the number of its last move.
--
-- KEYS
--   none (a fragment: the including script declares them)
-- ARGV
--   none (a fragment)
-- Returns nothing: it only defines local functions.
local function desk_place(case)
  local f = redis.call('HMGET', case, 'status', 'urg', 'due', 'org')
  if not f[4] or f[4] == '' or not f[3] then return nil, nil end
  local rank = 3
  if f[1] == 'received' or f[1] == 'under_review' or f[1] == 'reopened' then
    rank = (f[2] == 'safety' and 0) or (f[2] == 'urgent' and 1) or 2
  end
  local ref = string.match(case, ':case:([^:]+)$')
  local index = string.match(case, '^(.*):case:[^:]+$') .. ':desk:' .. f[4]
  return index, rank .. ':' .. string.format('%013d', tonumber(f[3])) .. ':' .. ref
end

-- After a change to `case`: its place `before` the change (nil: none) gives way to its place
-- now. When `noted`, a move (or a new case) also takes the next number of `<index>:moved`,
-- so that someone paging the desk is shown a case that moved ahead of their cursor since their
-- last page instead of skipping it (numbers, not times: no two processes' clocks to agree).
local function desk_move(case, before, noted)
  local index, now = desk_place(case)
  if index == nil then return end
  if before ~= nil and before ~= now then redis.call('ZREM', index, before) end
  redis.call('ZADD', index, 0, now)
  if noted and before ~= now then
    local moves = index .. ':moved'
    local last = redis.call('ZRANGE', moves, -1, -1, 'WITHSCORES')[2]
    redis.call('ZADD', moves, (tonumber(last) or 0) + 1, string.match(case, ':case:([^:]+)$'))
  end
end
