"""The durable pipeline: inbound events in Redis streams (`ingest`, `event_codec`), workers
that take each participant's turn and commit it atomically per shard (`worker`, `batch`,
`commit`; `loop_context` is the port through which the loop tells a turn about decisions), the
outbox and the sender that delivers it (`outbox`, `sender`, `claims`,
`ratelimit`, `retries`), leases, dead letters and queue depths."""
