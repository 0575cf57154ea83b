"""Line rows of a document form, and the edits the lines block makes to them (htmx).

Rows are a ``LineRows`` FieldList of line sub-forms named ``lines-<row>-<field>``. WTForms
renumbers posted rows 0..n-1, and removing a row renumbers the rest the same way, so the row
numbers on the page always match the server's (live totals address each row's amount by its
number). Rows are edited on the form itself: a field keeps its posted text (``raw_data``)
when rendered again, so everything typed so far comes back exactly as typed, half-finished
numbers included.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import abort
from wtforms import FieldList, Form

from xeroapp.ids import parse_id, parse_row, row_or_400
from xeroapp.limits import MAX_LINES

LINE_ID_UNREADABLE = ("A line on this form carries an id that cannot be one, so nothing was "
                      "saved. Reload the page and make the change again.")


class LineRows(FieldList):
    """A FieldList whose row numbers are read by xeroapp.ids: a posted row number that
    cannot be one is refused (400), as an unreadable id is.

    WTForms' own reading takes any row part ``str.isdigit()`` accepts, and ``int()`` then
    fails on "lines-²-description" or on a row number of 5,000 digits.
    """

    def _extract_indices(self, prefix, formdata):
        start = prefix + self._field_separator
        for key in formdata:
            if key.startswith(start):
                yield row_or_400(key[len(start):].split(self._field_separator, 1)[0])


def unreadable_line_ids(posted: list[str | None]) -> bool:
    """Whether a posted line id cannot be an id (blank is a new line; an id that is not one of
    the document's lines makes a new line too, as saving only ever edits its own lines)."""
    return any(text and parse_id(text) is None for text in posted)


def set_value(field: Any, value: Any) -> None:
    """Put ``value`` in a field of a posted row, replacing what was typed there."""
    field.data, field.raw_data = value, None


def edit_rows(form: Any, op: str, fill_from_product: Callable[[Form], None],
              more: Mapping[str, Callable[[], None]] | None = None) -> None:
    """Apply one change of the lines block to ``form``'s rows; nothing is validated or saved.

    ``op`` is "add", "remove-<row>", "product-<row>" (that row filled from the product just
    chosen) or one of ``more``; anything else, or a row number that cannot be one, is refused
    (400). At the line limit "add" leaves the rows as they were: the block says why.
    """
    name, _, row_text = op.partition("-")
    if op == "add":
        if len(form.lines.entries) < MAX_LINES:
            form.add_line()
    elif more and op in more:
        more[op]()
    elif name in ("remove", "product") and (row := parse_row(row_text)) is not None:
        if row < len(form.lines.entries):
            entry = form.lines.entries[row]
            if name == "remove":
                form.remove_lines([entry])
            else:
                fill_from_product(entry.form)
    else:
        abort(400)
    form.ensure_a_row()
