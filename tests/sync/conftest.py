"""Push-engine tests: a connected workspace on the in-process sandbox (push_support.py)."""
from __future__ import annotations


from tests.sync.push_support import (desk, live_desk, live_sandbox,  # noqa: F401
                                     live_sandbox_server, sandbox)
