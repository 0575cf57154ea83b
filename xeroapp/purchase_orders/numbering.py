"""Purchase order numbers: unique per workspace; for a new order, either none (Xero numbers it
when it is sent) or the next of the workspace's own series (Settings: prefix, next number)."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.document_numbers import next_in_series
from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder, Workspace
from xeroapp.models.documents import number_key


def suggest_number(workspace_id: int) -> str:
    """One past the highest ``<prefix><n>`` in the workspace (numbers typed in other styles are
    skipped), never below the next number of Settings.

    Zero-padded to 4 digits, wider once past PO-9999; a gap left by a deleted order is not
    reused, so a number never points at two different orders over time.
    """
    workspace = db.session.get(Workspace, workspace_id)
    numbers = db.session.scalars(sa.select(PurchaseOrder.number).where(
        PurchaseOrder.workspace_id == workspace_id, PurchaseOrder.number.is_not(None)))
    return next_in_series(numbers, workspace.po_number_prefix, workspace.po_number_next)


def number_for_new(workspace: Workspace) -> str:
    """What a new order's Number field starts with: empty when Xero numbers it."""
    return "" if workspace.numbered_by_xero else suggest_number(workspace.id)


def number_taken(workspace_id: int, number: str, exclude_id: int | None = None) -> bool:
    """Case-insensitive, like Xero's "Order number must be unique" check."""
    query = sa.select(PurchaseOrder.id).where(
        PurchaseOrder.workspace_id == workspace_id,
        PurchaseOrder.number_key == number_key(number.strip()))
    if exclude_id is not None:
        query = query.where(PurchaseOrder.id != exclude_id)
    return db.session.scalar(query) is not None
