"""Invoice numbers: unique per workspace; for a new invoice, either none (Xero numbers it when
it is sent) or the next of the workspace's own series (Settings: prefix and next number).

Xero refuses a second ACCREC invoice with the same number ("Invoice # must be unique."), so
uniqueness is checked here case-insensitively before Xero ever sees the number (and the
database's unique constraint on the number's key settles two saves racing past this check).
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.document_numbers import next_in_series
from xeroapp.extensions import db
from xeroapp.models import Invoice, Workspace
from xeroapp.models.documents import number_key


def suggest_number(workspace_id: int) -> str:
    """One past the highest ``<prefix><digits>`` in use here (numbers typed in other styles
    are skipped), never below the next number of Settings."""
    workspace = db.session.get(Workspace, workspace_id)
    numbers = db.session.scalars(sa.select(Invoice.number).where(
        Invoice.workspace_id == workspace_id, Invoice.number.is_not(None)))
    return next_in_series(numbers, workspace.invoice_number_prefix, workspace.invoice_number_next)


def number_for_new(workspace: Workspace) -> str:
    """What a new invoice's Number field starts with: empty when Xero numbers it."""
    return "" if workspace.numbered_by_xero else suggest_number(workspace.id)


def number_taken(workspace_id: int, number: str, exclude_id: int | None = None) -> bool:
    query = sa.select(Invoice.id).where(
        Invoice.workspace_id == workspace_id,
        Invoice.number_key == number_key(number.strip()),
    )
    if exclude_id is not None:
        query = query.where(Invoice.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None
