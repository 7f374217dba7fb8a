"""The durable pipeline: inbound events in Redis streams (`ingest`, `event_codec`), workers
that take each participant's turn and commit it atomically per shard (`worker`, `batch`;
`commit` builds a turn's writes, `commit_writes` lays them out for the script, `uncount` takes
an erasure's sessions out of the result counters, `recovery_codes` removes an erased web chat
participant's recovery codes before the commit; `loop_context`
is the port through which the loop tells a turn about decisions; `markers` remember each
message for the dedupe window), the outbox and the sender that delivers it (`outbox`,
`message_codec`, `sender`, `claims`, `ratelimit`, `retries`, and `delivery`, the port a
channel's client implements), shard `leases`, `dead_letters`, `streams` helpers, `metrics`
and the `queues` depths they report; `migrations` of the data in Redis that run once (the
one so far: `older_markers`); `retention` erases a closed campaign's personal-level data
once its retention has passed, and `retention_job` runs it once per interval; `recovery_codes`
forgets a web chat participant's recovery codes at erasure. Erasure on disk:
`erasure_traces` (what an erasure removes beyond the participant's keys, and its note for the
rewrite) and `disk_erasure` (the rewrite of the embedded Redis's files after erasures).
"""
