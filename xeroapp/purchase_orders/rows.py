"""Editing the line rows of a posted purchase order form before it is re-rendered.

"Add line", "Add shipping", "Remove" and choosing a product post the whole form (htmx) and get
the lines back. Working on the posted text itself, rather than on parsed values, keeps
everything typed so far exactly as typed, half-finished numbers included.
"""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from xeroapp.ids import row_or_400
from xeroapp.limits import MAX_LINES

_LINE_KEY = re.compile(r"^lines-([^-]*)-(\w+)$")
NEW_ROW = {"quantity": "1"}


def split_rows(formdata: MultiDict) -> tuple[MultiDict, list[dict[str, str]]]:
    """The posted fields that are not lines, and the line rows in their posted order.

    A line field whose row number cannot be one is refused (400), as the form refuses it."""
    header: MultiDict = MultiDict()
    rows: dict[int, dict[str, str]] = {}
    for key, value in formdata.items(multi=True):
        match = _LINE_KEY.match(key)
        if match:
            rows.setdefault(row_or_400(match.group(1)), {})[match.group(2)] = value
        else:
            header.add(key, value)
    return header, [rows[index] for index in sorted(rows)]


def join_rows(header: MultiDict, rows: list[dict[str, str]]) -> MultiDict:
    """Form data again, with the rows renumbered 0..n-1 (so a removed row leaves no gap)."""
    formdata = MultiDict(header)
    for index, row in enumerate(rows):
        for name, value in row.items():
            formdata.add(f"lines-{index}-{name}", value)
    return formdata


def is_empty_row(row: dict[str, str]) -> bool:
    return not any((row.get(name) or "").strip() for name in ("product_id", "description",
                                                               "unit_cost"))


def has_room(rows: list[dict[str, str]]) -> bool:
    """Whether ``add_row`` stays within the line limit (it fills a trailing empty row)."""
    return len(rows) < MAX_LINES or is_empty_row(rows[-1])


def add_row(rows: list[dict[str, str]], row: dict[str, str]) -> None:
    """Append ``row``, filling a trailing empty row instead when there is one."""
    if rows and is_empty_row(rows[-1]):
        rows[-1] = {**rows[-1], **row}
    else:
        rows.append(dict(row))


def remove_row(rows: list[dict[str, str]], index: int) -> None:
    """Drop row ``index``; the form always keeps one row to type into."""
    if 0 <= index < len(rows):
        del rows[index]
    if not rows:
        rows.append(dict(NEW_ROW))
