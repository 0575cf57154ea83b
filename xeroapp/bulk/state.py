"""What the bulk-push partial of one list page shows: the buttons with their counts (or why
they are off) and the latest run's progress."""
from __future__ import annotations

from dataclasses import dataclass

from xeroapp.models.bulk import BulkPush
from xeroapp.models.xero import XeroConnection
from xeroapp.sync.bulk import runs

# URL segment -> record kind; the list pages that offer bulk pushes.
LISTS = {"clients": "client", "suppliers": "supplier", "invoices": "invoice", "products": "product"}
PLURALS = {kind: plural for plural, kind in LISTS.items()}
DETAIL_ENDPOINTS = {"client": ("clients.detail", "client_id"),
                    "supplier": ("suppliers.detail", "supplier_id"),
                    "invoice": ("invoices.detail", "invoice_id"),
                    "product": ("products.detail", "product_id")}


@dataclass
class BulkState:
    kind: str
    off_reason: str | None = None  # why nothing can be started (not connected ...)
    send_count: int = 0
    update_count: int = 0
    # Changed here, but Xero takes no more changes to them: "Update all changed" leaves them.
    locked_count: int = 0
    progress: runs.Progress | None = None
    notice: str | None = None

    @property
    def plural(self) -> str:
        return PLURALS[self.kind]

    @property
    def running(self) -> bool:
        return self.progress is not None and not self.progress.finished

    @property
    def percent(self) -> int:
        p = self.progress
        return round(100 * p.done_count / p.total) if p and p.total else 0


def bulk_state(kind: str, workspace_id: int, *, run: BulkPush | None = None,
               notice: str | None = None) -> BulkState:
    state = BulkState(kind, notice=notice)
    run = run or runs.latest(workspace_id, kind)
    if run is not None:
        state.progress = runs.progress(run)
    connection = XeroConnection.usable_for(workspace_id)
    if connection is None:
        state.off_reason = "Xero is not connected, so nothing can be sent yet."
    elif connection.needs_reconnect:
        state.off_reason = "Xero needs reconnecting before anything can be sent."
    elif not state.running:
        # Not while a run of this list goes: its buttons are off, and the counts change under
        # it. They are also the costly part of the partial each open list polls every second:
        # PostgreSQL's statistics lag a run's thousands of new rows, and until its next
        # ANALYZE it plans the "no pending push" test as a scan of them per record.
        state.send_count = runs.count(kind, "send", workspace_id, connection.tenant_id)
        state.update_count = runs.count(kind, "update", workspace_id, connection.tenant_id)
        if kind == "invoice":  # the one bulk kind Xero can lock (paid, voided ...)
            state.locked_count = runs.count(kind, "locked", workspace_id, connection.tenant_id)
    return state


def record_label(record) -> str:
    """How a failed record is named in the list of failures."""
    kind = record.record_kind
    if kind == "invoice":
        return f"Invoice {record.label}"
    if kind == "product":
        return f"{record.sku} · {record.name}"
    return record.name
