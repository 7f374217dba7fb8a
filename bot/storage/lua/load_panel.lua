-- Everything deciding on a batch of panel members needs, in one round trip (a pipeline of
-- three or four commands per member costs the client far more than Redis): their record,
-- their invitations and their sessions of the campaigns named (those that may tell their
-- profile, or that they may not have finished). Keys are named from the prefixes passed in
-- (the same hash slot as the declared key).
--
-- KEYS
--   1 any key of the shard (only to route the call to the shard's node)
-- ARGV
--   1 participant prefix
--   2 invitations prefix
--   3 sessions prefix (a session is <prefix><pid>:<campaign>)
--   4 the number of campaigns, then those campaigns, then the participant ids
-- Returns per member {record (field, value, ...), invitations (field, value, ...), sessions
-- (one per campaign named, false where there is none)}.

local count = tonumber(ARGV[4])
local out = {}
for n = 5 + count, #ARGV do
  local pid = ARGV[n]
  local record = redis.call('HGETALL', ARGV[1] .. pid)
  local sessions = {}
  if #record > 0 then
    for c = 1, count do
      local campaign = ARGV[4 + c]
      if redis.call('HEXISTS', ARGV[1] .. pid, 'c:' .. campaign) == 1 then
        sessions[c] = redis.call('GET', ARGV[3] .. pid .. ':' .. campaign)
      else
        sessions[c] = false
      end
    end
  end
  out[#out + 1] = {record, redis.call('HGETALL', ARGV[2] .. pid), sessions}
end
return out
