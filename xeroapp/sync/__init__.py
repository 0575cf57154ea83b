"""The push engine: records pushes (outbox), runs them (jobs, bulk), keeps them moving
(sweeper) and parks them while Xero needs reconnecting (reconnect)."""
# Imported with the package so that its listener of xero.tokens.connection_lost is connected
# in every process that can push (web and worker): a lost grant parks the pending pushes.
from xeroapp.sync import reconnect  # noqa: F401
