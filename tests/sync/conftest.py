"""Push-engine tests: a connected workspace on the in-process sandbox (push_support.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from push_support import desk, live_desk, live_sandbox, live_sandbox_server, sandbox  # noqa: E402,F401
