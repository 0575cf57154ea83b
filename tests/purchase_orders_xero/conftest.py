"""Purchase orders to Xero: Ada's workspace connected to the in-process sandbox
(tests/sync/push_support.py), with a supplier and products, and the helpers these tests
share (po_support.py)."""
from __future__ import annotations


from tests.purchase_orders_xero.po_support import counted, shop  # noqa: F401  (fixtures)
from tests.sync.push_support import (desk, live_desk, live_sandbox,  # noqa: F401  (fixtures)
                                     live_sandbox_server, sandbox)
