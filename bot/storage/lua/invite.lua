-- Invite one batch of a shard's panel members to a campaign (bot.panels.sending): each person
-- at most once per campaign, and never over the invitation budget, whatever ran before.
--
-- A person already invited to the campaign (their invitations hash has its field) is skipped,
-- so an inviting process killed mid-batch, run again, or two running at once, invite nobody
-- twice; the outbox entry's idempotency key protects the sending. Someone erased since the
-- batch was loaded (no data key left) is skipped too: no key is written under their pseudonym;
-- and so is someone who said /stop or no to being contacted again meanwhile.
--
-- KEYS
--   1 the shard's bulk outbox stream
-- ARGV
--   1 participant prefix (the participant hash is <prefix><pid>)
--   2 invitations prefix (their invitations hash is <prefix><pid>)
--   3 campaign id
--   4 now ms
--   5 budget window ms
--   6 budget: invitations per window (across campaigns)
--   7 how long an invitations hash is kept after its latest invitation, ms
--   8 web chat inbox prefix (their inbox is <prefix><pid>)
--   9 web chat inbox cap (notices kept)
--   10.. 4 values per item: pid, idempotency key, channel, sealed body (web chat: the inbox
--     item, sealed with their own key; else the outbox entry's body)
-- Returns one code per item, in order: i invited, a already invited, o over budget, e erased,
-- s opted out, c no re-contact consent

local now, window, budget = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local keep = tonumber(ARGV[7])
local outcomes = {}
for i = 10, #ARGV, 4 do
  local pid, key, channel, body = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local invitations = ARGV[2] .. pid
  local record = redis.call('HMGET', ARGV[1] .. pid, 'wk', 'stop', 'k:contact')
  if not record[1] then
    outcomes[#outcomes + 1] = 'e'
  elseif record[2] == '1' then
    outcomes[#outcomes + 1] = 's'
  elseif not record[3] or string.sub(record[3], 1, 1) ~= '1' then
    outcomes[#outcomes + 1] = 'c'
  elseif redis.call('HEXISTS', invitations, ARGV[3]) == 1 then
    outcomes[#outcomes + 1] = 'a'
  else
    local recent = 0
    for _, at in ipairs(redis.call('HVALS', invitations)) do
      if tonumber(at) > now - window then recent = recent + 1 end
    end
    if recent >= budget then
      outcomes[#outcomes + 1] = 'o'
    else
      redis.call('HSET', invitations, ARGV[3], now)
      -- Relative, not PEXPIREAT: Redis's clock need not agree with ours.
      redis.call('PEXPIRE', invitations, keep)
      if channel == 'webchat' then  -- read when they next open their link: nobody is woken
        redis.call('RPUSH', ARGV[8] .. pid, body)
        redis.call('LTRIM', ARGV[8] .. pid, -tonumber(ARGV[9]), -1)
      else
        redis.call('XADD', KEYS[1], '*', 'k', key, 'pid', pid, 'ch', channel, 't', now,
          'body', body)
      end
      outcomes[#outcomes + 1] = 'i'
    end
  end
end
return outcomes
