"""The durable pipeline: inbound events in Redis streams (`ingest`, `event_codec`), workers
that take each participant's turn and commit it atomically per shard (`worker`, `batch`;
`commit` builds a turn's writes, `commit_writes` lays them out for the script; `loop_context`
is the port through which the loop tells a turn about decisions), the outbox and the sender
that delivers it (`outbox`, `message_codec`, `sender`, `claims`, `ratelimit`, `retries`),
leases, dead letters and queue depths."""
