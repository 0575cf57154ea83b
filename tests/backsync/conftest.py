"""Back-sync tests: a connected workspace on the in-process sandbox (tests/sync/push_support.py)
whose webhooks the sandbox delivers to the app itself, in-process."""
from __future__ import annotations

from tests.backsync.backsync_support import counted, hooked  # noqa: F401
from tests.sync.push_support import desk, sandbox  # noqa: F401
