"""The push engine: outbox (record a push, enqueue it after commit) and the RQ jobs."""
