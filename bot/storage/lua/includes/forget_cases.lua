-- forget_cases(tag, pid): an erased participant's own grievance cases (`<tag>:pc:<pid>`) stop
-- naming them: who raised each (`pid`), their language and channel, the text, the desk's
-- last message and why a resolution left them unsatisfied (all sealed with the data key the
-- erasure deletes) are removed, and the index
-- goes. The case keeps its reference, campaign, status, steps and times for the desk's figures;
-- nothing can bring it back to someone who later writes from the same number (their pseudonym is
-- the same). A case no longer theirs (retention already stripped it) is left as it is. The
-- function returns how many cases were stripped. Every key it names is in `tag`'s hash slot.
--
-- KEYS
--   none (a fragment: the including script declares them)
-- ARGV
--   none (a fragment)
-- Returns nothing: it only defines a local function.
local function forget_cases(tag, pid)
  local index = tag .. ':pc:' .. pid
  local stripped = 0
  for _, ref in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    local case = tag .. ':case:' .. ref
    if redis.call('HGET', case, 'pid') == pid then
      redis.call('HDEL', case, 'pid', 'lang', 'ch', 'x', 'm', 'why')
      stripped = stripped + 1
    end
  end
  redis.call('DEL', index)
  return stripped
end
