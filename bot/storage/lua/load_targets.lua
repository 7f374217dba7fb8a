-- Everything the feeder needs about a batch of targets, in one round trip (a pipeline of four
-- commands per target costs the client far more than Redis). Participants' keys are named from
-- the prefixes passed in (same hash slot as the declared key).
--
-- KEYS
--   1 the shard's publication hash (only to route the call to the shard's node)
-- ARGV
--   1 participant prefix
--   2 answers prefix
--   3 told prefix
--   4 budget prefix
--   5 themes prefix ('' = not needed)
--   6 told field (d:<ref>)
--   7 budget from (ms)
--   8 number of participant fields, then those fields, then the number of answer fields
--     (0 = all), then those, then the participant ids
-- Returns per participant {participant fields, answers (field, value, ...), told value, budget
-- times, themes (field, value, ...)}.

local i = 8
local fields = {}
for n = 1, tonumber(ARGV[i]) do fields[n] = ARGV[i + n] end
i = i + #fields + 1
local questions = {}
for n = 1, tonumber(ARGV[i]) do questions[n] = ARGV[i + n] end
i = i + #questions + 1
local out = {}
for n = i, #ARGV do
  local pid = ARGV[n]
  local answers
  if #questions > 0 then
    answers = {}
    local values = redis.call('HMGET', ARGV[2] .. pid, unpack(questions))
    for q = 1, #questions do
      if values[q] then answers[#answers + 1] = questions[q]; answers[#answers + 1] = values[q] end
    end
  else
    answers = redis.call('HGETALL', ARGV[2] .. pid)
  end
  local themes = {}
  if ARGV[5] ~= '' then themes = redis.call('HGETALL', ARGV[5] .. pid) end
  out[#out + 1] = {
    redis.call('HMGET', ARGV[1] .. pid, unpack(fields)),
    answers,
    redis.call('HGET', ARGV[3] .. pid, ARGV[6]),
    redis.call('ZRANGEBYSCORE', ARGV[4] .. pid, ARGV[7], '+inf', 'WITHSCORES'),
    themes,
  }
end
return out
