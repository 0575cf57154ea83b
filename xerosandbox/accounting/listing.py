"""GET list mechanics shared by the resources: where, order, id lists, If-Modified-Since, paging.

Each resource decides which of these its endpoint has (the spec's parameters): e.g. Items has
where but no paging, PurchaseOrders has paging but no where.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from flask import request

from . import msdate
from .where import QueryParseError, compile_order, compile_where

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

Doc = dict[str, Any]


class BadParameter(Exception):
    """A query parameter that cannot be read as its type (Xero answers 400 in plain text)."""


def args(name: str) -> list[str]:
    """Every value of query parameter ``name``, matched case-insensitively as Xero's
    ASP.NET routing does (``status=DRAFT`` works as well as ``Status=DRAFT``)."""
    wanted = name.lower()
    return [value for key, values in request.args.lists() if key.lower() == wanted for value in values]


def arg(name: str, default: str | None = None) -> str | None:
    values = args(name)
    return values[0] if values else default


def csv_values(name: str) -> list[str]:
    """``IDs=a,b`` or ``IDs=a&IDs=b`` -> ["a", "b"] (the SDKs send the comma form)."""
    values: list[str] = []
    for raw in args(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def uuid_values(name: str) -> list[str]:
    out: list[str] = []
    for value in csv_values(name):
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            raise BadParameter(f"Supplied parameter '{name}' cannot be parsed - must be of type UUID.") from None
    return out


def flag(name: str, default: bool = False) -> bool:
    value = arg(name)
    if value is None:
        return default
    return value.strip().lower() == "true"


def int_param(name: str) -> int | None:
    value = arg(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadParameter(f"Supplied parameter '{name}' cannot be parsed - must be of type Int32.") from None


def unitdp() -> int:
    """The unit decimal places this request writes and reads: 4 with ``unitdp=4``, else 2
    (only the operations whose spec lists the parameter ask; lines.py has the rule)."""
    return 4 if int_param("unitdp") == 4 else 2


def apply_where(docs: list[Doc], schema: str) -> list[Doc]:
    text = arg("where")
    if not text or not text.strip():
        return docs
    test = compile_where(text, schema)
    return [doc for doc in docs if test(doc)]


def apply_order(docs: list[Doc], schema: str) -> list[Doc]:
    text = arg("order")
    if not text or not text.strip():
        return docs
    return sort_docs(docs, compile_order(text, schema))


def sort_docs(docs: list[Doc], keys: list[tuple[Callable[[Doc], Any], bool]]) -> list[Doc]:
    ordered = list(docs)
    for getter, descending in reversed(keys):  # stable sorts, last key first
        ordered.sort(key=lambda doc, get=getter: _sort_key(get(doc)), reverse=descending)
    return ordered


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts first (as SQL Server does ascending); strings compare case-insensitively.
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, datetime):
        return (1, value.timestamp())
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


def modified_since(docs: list[Doc]) -> list[Doc]:
    """If-Modified-Since: only objects whose UpdatedDateUTC is later than the header."""
    header = request.headers.get("If-Modified-Since")
    if not header:
        return docs
    since = _parse_http_date(header)
    if since is None:
        return docs
    kept = []
    for doc in docs:
        updated = msdate.parse_ms(doc.get("UpdatedDateUTC"))
        if updated is None or updated > since:
            kept.append(doc)
    return kept


def _parse_http_date(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def keep_matching(docs: list[Doc], field: str, wanted: Iterable[str],
                  normalise: Callable[[str], str] = str.lower) -> list[Doc]:
    wanted_set = {normalise(w) for w in wanted}
    if not wanted_set:
        return docs
    return [doc for doc in docs if isinstance(doc.get(field), str) and normalise(doc[field]) in wanted_set]


def paginate(docs: list[Doc], *, has_page_size: bool = True) -> tuple[list[Doc], dict[str, int] | None]:
    """Slice to the requested page; (docs, None) when the caller did not ask for a page."""
    page = int_param("page")
    if page is None:
        return docs, None
    page = max(page, 1)
    size = int_param("pageSize") if has_page_size else None
    size = DEFAULT_PAGE_SIZE if size is None or size < 1 else min(size, MAX_PAGE_SIZE)
    count = len(docs)
    start = (page - 1) * size
    return docs[start:start + size], {
        "page": page,
        "pageSize": size,
        "pageCount": (count + size - 1) // size,
        "itemCount": count,
    }


__all__ = ["BadParameter", "QueryParseError", "apply_order", "apply_where", "arg", "args", "csv_values", "flag",
           "int_param", "keep_matching", "modified_since", "paginate", "sort_docs", "uuid_values"]
