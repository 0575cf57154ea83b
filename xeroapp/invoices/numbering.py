"""Invoice numbers: unique per workspace, suggested as the next after the workspace's highest.

Xero's own invoice settings work the same way (a prefix and a running number, INV-0001), and
Xero refuses a second ACCREC invoice with the same number ("Invoice # must be unique."), so
uniqueness is checked here case-insensitively before Xero ever sees the number.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice

DEFAULT_PREFIX = "INV-"
DEFAULT_WIDTH = 4
_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def suggest_number(workspace_id: int) -> str:
    """The number after the highest ``<prefix><digits>`` in use, keeping prefix and padding."""
    numbers = db.session.scalars(sa.select(Invoice.number).where(Invoice.workspace_id == workspace_id))
    best: tuple[int, str, int] | None = None  # (value, prefix, width)
    for number in numbers:
        match = _TRAILING_DIGITS.match(number.strip())
        if match and (best is None or int(match.group(2)) > best[0]):
            best = (int(match.group(2)), match.group(1), len(match.group(2)))
    value, prefix, width = best if best else (0, DEFAULT_PREFIX, DEFAULT_WIDTH)
    # Above every number in use, so it cannot clash (any spelling of it would be higher).
    return f"{prefix}{value + 1:0{width}d}"


def number_taken(workspace_id: int, number: str, exclude_id: int | None = None) -> bool:
    query = sa.select(Invoice.id).where(
        Invoice.workspace_id == workspace_id,
        sa.func.lower(Invoice.number) == number.strip().lower(),
    )
    if exclude_id is not None:
        query = query.where(Invoice.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None
