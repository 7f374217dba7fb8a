"""The durable runtime: inbound events in Redis streams, workers that run the pure engine and
commit its results atomically, per shard."""
