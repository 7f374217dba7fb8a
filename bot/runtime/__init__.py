"""The durable pipeline: inbound events in Redis streams (`ingest`, `event_codec`), workers
that take each participant's turn and commit it atomically per shard (`worker`, `batch`,
`commit`), the outbox and the sender that delivers it (`outbox`, `sender`, `claims`,
`ratelimit`, `retries`), leases, dead letters and queue depths."""
