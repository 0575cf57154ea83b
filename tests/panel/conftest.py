"""Panel tests share the push-engine fixtures (tests/sync/push_support.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sync"))

from push_support import desk, live_desk, live_sandbox, live_sandbox_server, sandbox  # noqa: E402,F401
