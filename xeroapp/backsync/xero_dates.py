"""Xero's ways of writing a time: ``/Date(1795824000000+0000)/`` in the Accounting API's JSON
(milliseconds since the epoch, UTC; the offset only says where it was written), ISO 8601
without a zone (UTC) in webhook events and DateString fields."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def moment(value: object) -> datetime | None:
    """An aware UTC datetime, or None for a missing or unreadable value."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def day(value: object) -> date | None:
    """The calendar date of a Date field (Xero keeps dates at midnight UTC)."""
    found = moment(value)
    return found.date() if found is not None else None


def if_modified_since(value: datetime) -> str:
    """The If-Modified-Since value Xero documents: ISO 8601 (xero_accounting.yaml,
    parameter ifModifiedSince), in UTC, to the second."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def spoken(value: date) -> str:
    """``3 Dec 2026``."""
    return f"{value.day} {value:%b %Y}"
