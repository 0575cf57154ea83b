"""Purchase orders to Xero: Ada's workspace connected to the in-process sandbox
(tests/sync/push_support.py), with a supplier and products, and the helpers these tests
share (po_support.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sync"))

from po_support import counted, shop  # noqa: E402,F401  (fixtures)
from push_support import desk, sandbox  # noqa: E402,F401  (fixtures)
