"""Copying a validated document form onto its record: the parts every document shares."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from wtforms import Form

from xeroapp.extensions import db
from xeroapp.ids import optional_id, parse_id
from xeroapp.models import Product

Line = TypeVar("Line")


def text_or_none(value: str | None) -> str | None:
    """A text field as stored: trimmed, and None when nothing is left."""
    return (value or "").strip() or None


def apply_lines(record: Any, rows: Iterable[Form], new_line: Callable[[], Line],
                copy: Callable[[Form, Line], None]) -> None:
    """Set ``record.lines`` to ``rows`` in their order, editing its lines in place.

    A posted row carries the id of the line it shows: that line is updated rather than
    replaced, so Xero's LineItemID on it survives and an update edits the line in Xero. An id
    that is not one of this record's lines makes a new line (saving only edits its own).
    """
    existing = {line.id: line for line in record.lines if line.id}
    kept = []
    for position, row in enumerate(rows):
        line = existing.pop(parse_id(row.line_id.data), None) or new_line()
        line.position = position
        copy(row, line)
        kept.append(line)
    record.lines = kept  # lines no longer posted are deleted (delete-orphan)


def workspace_product(workspace_id: int, posted_id: str | None) -> Product | None:
    """The product a row names, if it is one of this workspace's (else None: fill nothing)."""
    record_id = optional_id(posted_id)
    product = db.session.get(Product, record_id) if record_id is not None else None
    return product if product is not None and product.workspace_id == workspace_id else None
