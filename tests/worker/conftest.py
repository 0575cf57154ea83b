"""Worker tests use the push-engine fixtures (tests/sync/push_support.py) for real pushes."""
from __future__ import annotations


from tests.sync.push_support import (desk, live_desk, live_sandbox,  # noqa: F401
                                     live_sandbox_server, sandbox)
