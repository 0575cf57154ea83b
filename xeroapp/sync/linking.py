"""XeroLink rows: which Xero object a record is in one organisation, and since when."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroLink


def find(record, tenant_id: str | None) -> XeroLink | None:
    """The record's link in ``tenant_id`` (None: never sent to that organisation)."""
    if tenant_id is None:
        return None
    return db.session.scalar(sa.select(XeroLink).filter_by(
        workspace_id=record.workspace_id, record_kind=record.record_kind, record_id=record.id,
        tenant_id=tenant_id))


def record_push(record, tenant_id: str, xero_id: str, version: int) -> XeroLink:
    """Create or move the link after a successful push (the caller commits, with the result)."""
    link = find(record, tenant_id)
    if link is None:
        link = XeroLink(workspace_id=record.workspace_id, record_kind=record.record_kind,
                        record_id=record.id, tenant_id=tenant_id, linked_at=utcnow())
        db.session.add(link)
    link.xero_id = xero_id
    link.pushed_version = version
    link.pushed_at = utcnow()
    return link


def forget(record, tenant_id: str) -> None:
    """The object is gone from Xero: the next push is a Send again."""
    link = find(record, tenant_id)
    if link is not None:
        db.session.delete(link)


def keep_line_ids(document, xero_lines: list[dict]) -> None:
    """Write Xero's LineItemIDs back onto an invoice's or order's lines, so the next update
    edits those lines rather than recreating them. Xero answers with the lines in the order
    sent; a count mismatch means we cannot pair them safely, so the ids are left as they were
    (the next update recreates those lines)."""
    if len(xero_lines) != len(document.lines):
        return
    for line, xero_line in zip(document.lines, xero_lines):
        line.xero_line_item_id = xero_line.get("LineItemID")
