-- The rule evaluator, included by scripts that decide whom a decision is linked to (see
-- bot/conversation/decisions/rules.py for the program's shape). Defines `prepare(node)` (once
-- per program) and `holds(node, answer, tagged)`; reads no keys itself.
--
-- KEYS
--   none (a fragment: the including script declares them)
-- ARGV
--   none (a fragment)
-- Returns nothing: it only defines local functions.

local find, byte, sub = string.find, string.byte, string.sub
local call = redis.call

local function prepare(node)
  if node.k == 'in' or node.k == 'all' then
    node.quoted = {}
    for i, v in ipairs(node.v) do node.quoted[i] = '"' .. v .. '"' end
  end
  if node.c then for _, child in ipairs(node.c) do prepare(child) end end
end

-- Answers are read in both formats (bot/conversation/stored_answers.py): the compact one the
-- commit writes, '<outcome><time>:<json value>' ('a' = answered; a free text 'a<time>#<n>'
-- has no value), and the JSON written before, {"o":"answered","t":<s>,"v":<json>}, without "v"
-- when skipped, declined or free text. Plain string searches, without decoding JSON or copying
-- the value, are several times faster; option ids cannot hold quotes
-- (dialogues/question_rules.py), so '"<id>"' right after the value's start is exact.

-- Where the value starts (the position before it), and where it ends; nil without a value.
local function value_span(raw)
  if byte(raw, 1) == 123 then  -- '{': the JSON written before
    local _, at = find(raw, '"v":', 1, true)
    if at then return at, #raw - 1 end
    return nil
  end
  local at = find(raw, ':', 2, true)
  if at then return at, #raw end
  return nil
end

local function is_answered(raw)
  if byte(raw, 1) == 123 then return find(raw, '"o":"answered"', 1, true) ~= nil end
  return byte(raw, 1) == 97  -- 'a'
end

local function chosen(raw, at, last, i, node)
  local first = byte(raw, at + 1)
  if first == 91 then  -- '[': a multiple choice
    return find(raw, node.quoted[i], at + 1, true) ~= nil
  end
  local quoted = node.quoted[i]
  return first == 34 and at + #quoted == last and find(raw, quoted, at + 1, true) == at + 1
end

local function holds(node, answer, tagged)
  local k = node.k
  if k == 'or' then
    local children = node.c
    for i = 1, #children do if holds(children[i], answer, tagged) then return true end end
    return false
  elseif k == 'and' then
    local children = node.c
    for i = 1, #children do if not holds(children[i], answer, tagged) then return false end end
    return true
  elseif k == 'not' then
    return not holds(node.c[1], answer, tagged)
  elseif k == 'tag' then
    return tagged(node.q, node.v)
  end
  local raw = answer(node.q)
  if k == 'ans' then
    local answered = raw ~= nil and is_answered(raw)
    return answered == (node.v == 1)
  end
  if not raw then return false end
  local at, last = value_span(raw)
  if not at then return false end
  if k == 'num' then
    local number = tonumber(sub(raw, at + 1, last))
    if number == nil then return false end
    if node.lo ~= nil and number < node.lo then return false end
    if node.hi ~= nil and number > node.hi then return false end
    return true
  end
  local quoted = node.quoted
  if k == 'in' then
    for i = 1, #quoted do if chosen(raw, at, last, i, node) then return true end end
    return false
  end
  for i = 1, #quoted do if not chosen(raw, at, last, i, node) then return false end end
  return true
end
