"""Purchase order numbers: unique per workspace, suggested as the next PO-0001-style number."""
from __future__ import annotations

import re

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder

PREFIX = "PO-"
WIDTH = 4
_NUMBERED = re.compile(rf"^{re.escape(PREFIX)}(\d+)$", re.IGNORECASE)


def suggest_number(workspace_id: int) -> str:
    """One past the highest PO-<n> in the workspace (numbers typed in other styles are skipped).

    Zero-padded to 4 digits, wider once past PO-9999; a gap left by a deleted order is not
    reused, so a number never points at two different orders over time.
    """
    numbers = db.session.scalars(
        sa.select(PurchaseOrder.number).where(PurchaseOrder.workspace_id == workspace_id))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBERED.match(n.strip()))),
                  default=0)
    return f"{PREFIX}{highest + 1:0{WIDTH}d}"


def number_taken(workspace_id: int, number: str, exclude_id: int | None = None) -> bool:
    """Case-insensitive, like Xero's "Order number must be unique" check."""
    query = sa.select(PurchaseOrder.id).where(
        PurchaseOrder.workspace_id == workspace_id,
        sa.func.lower(PurchaseOrder.number) == number.strip().lower())
    if exclude_id is not None:
        query = query.where(PurchaseOrder.id != exclude_id)
    return db.session.scalar(query) is not None
