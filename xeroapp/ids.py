"""Every id, row number and page number a request carries is read here, and nowhere else.

An id is 1 to 18 ASCII digits with no leading zero: every record id there will ever be
(below 10^18, itself below the largest BIGINT, 2^63-1), and a shape a regular expression
alone decides. What that rules out has answered 500 before: numbers above 2^63 (SQLite and
PostgreSQL cannot bind them), text ``str.isdigit()`` accepts but ``int()`` refuses ("²"),
digits ``int()`` reads but no id is written in ("١٢"), and more than 4,300 digits
(``int()``'s limit). ``int()`` is only called on what the expression let through.

Paths use the ``id`` converter (``/clients/<id:client_id>``): anything else matches no route,
so it answers 404 as a missing record does (a converter refusing a value it had matched
would make Werkzeug answer 405 where the same path has a route for another method). An
unreadable id in a query argument or form field is 400 with a plain message; an unreadable
page number is page 1.
"""
from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter

ID_PATTERN = r"[1-9][0-9]{0,17}"
_ID = re.compile(ID_PATTERN)
# Line rows are numbered 0..n-1 on every render: five digits are more than a document has.
_ROW = re.compile(r"[0-9]{1,5}")
# A page far past the last one is simply empty; this keeps its OFFSET well within a BIGINT.
MAX_PAGE = 1_000_000


class UnreadableId(BadRequest):
    """An id or row number that cannot be one, in a query argument or a form field: 400."""

    description = ("That request carries an id or line number that cannot be one, so nothing "
                   "was changed. Go back to the page and try again.")
    plain = True  # written for people: the error page shows it as it is


def parse_id(text: object) -> int | None:
    """The id ``text`` writes, or None when it writes none (blank, not digits, too long)."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    return int(text)


def parse_row(text: object) -> int | None:
    """A line row number (0 to 99,999), or None."""
    if not isinstance(text, str) or not _ROW.fullmatch(text):
        return None
    return int(text)


def row_or_400(text: str) -> int:
    """The row number of a posted line field (``lines-<row>-description``); 400 if none."""
    row = parse_row(text)
    if row is None:
        raise UnreadableId()
    return row


def parse_page(text: object) -> int:
    """The page asked for; page 1 when the number is missing, unreadable or out of range."""
    value = parse_id(text)
    return value if value is not None and value <= MAX_PAGE else 1


def optional_id(text: str | None) -> int | None:
    """None for a blank value; the id for a readable one; 400 for anything else."""
    if text is None or text == "":
        return None
    value = parse_id(text)
    if value is None:
        raise UnreadableId()
    return value


def arg_id(name: str) -> int | None:
    """The id in query argument ``name`` (None when absent or blank; 400 when unreadable)."""
    return optional_id(request.args.get(name))


def form_id(name: str) -> int | None:
    """The id in form field ``name`` (None when absent or blank; 400 when unreadable)."""
    return optional_id(request.form.get(name))


def page_arg() -> int:
    """The list page asked for in ``?page=`` (page 1 when it cannot be one)."""
    return parse_page(request.args.get("page"))


class IdConverter(BaseConverter):
    """``<id:name>``: a record id in a path; anything else matches no route (404)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    """Register the converter (before any blueprint adds its routes)."""
    app.url_map.converters["id"] = IdConverter
