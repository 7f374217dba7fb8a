-- Before an erasure's commit (/delete): their own grievance cases stop naming them (see the
-- include). Safe to run again: a second run finds no index.
--
-- Case key names are built from the participant's shard tag, in the declared key's hash slot.
--
-- KEYS
--   1 the participant's own cases (`<tag>:pc:<pid>`)
-- ARGV
--   1 the shard's tag (`sauti:{s3}`)
--   2 the participant id
-- Returns how many cases were stripped.

--- @include "includes/forget_cases.lua"

return forget_cases(ARGV[1], ARGV[2])
