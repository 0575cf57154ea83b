"""Xero's date formats.

Responses use Microsoft JSON dates: ``/Date(1552262400000+0000)/`` for object dates and
timestamps, ``/Date(1552327126164)/`` (no offset) for the envelope's ``DateTimeUTC``, plus the
ISO ``*String`` twins the spec lists (``DateString: 2019-03-11T00:00:00``). Requests send
``YYYY-MM-DD`` but Xero's JSON reader also takes ISO datetimes and MS dates, so we do too.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def ms(dt: datetime) -> str:
    """``/Date(ms+0000)/`` for a UTC datetime (object fields)."""
    return f"/Date({_epoch_ms(dt)}+0000)/"


def ms_plain(epoch_seconds: float) -> str:
    """``/Date(ms)/`` as in the envelope's DateTimeUTC."""
    return f"/Date({int(epoch_seconds * 1000)})/"


def ms_from_epoch(epoch_seconds: float) -> str:
    return ms(datetime.fromtimestamp(epoch_seconds, tz=timezone.utc))


def iso_string(dt: datetime) -> str:
    """The ``DateString`` twin: ``2019-03-11T00:00:00`` (no zone, as Xero sends it)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def utc_string(epoch_seconds: float) -> str:
    """``UpdatedDateUTCString``: ``2019-11-14T18:10:38Z``."""
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> datetime:
    """A request date in any form Xero accepts -> aware UTC datetime. Raises ValueError."""
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(match.group(1)))
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        # Dates are calendar days at Xero: keep the wall-clock day the caller wrote.
        parsed = parsed.replace(tzinfo=None)
    return parsed.replace(tzinfo=timezone.utc)


def parse_ms(value: object) -> datetime | None:
    """An MS date string from a stored object -> datetime (None if it is not one)."""
    if isinstance(value, str):
        match = _MS_DATE.match(value)
        if match:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(match.group(1)))
    return None


def day(dt: datetime) -> datetime:
    """Midnight of the same calendar day (Invoice Date/DueDate carry no time of day)."""
    return datetime(dt.year, dt.month, dt.day, tzinfo=timezone.utc)


# Xero's organisation timezone names (spec enum TimeZone) -> IANA, for the ones we seed and
# their neighbours; anything else counts as UTC.
XERO_TIMEZONES = {
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "EAUSTRALIASTANDARDTIME": "Australia/Brisbane",
    "CENAUSTRALIASTANDARDTIME": "Australia/Adelaide",
    "WAUSTRALIASTANDARDTIME": "Australia/Perth",
    "GMTSTANDARDTIME": "Europe/London",
    "EASTERNSTANDARDTIME": "America/New_York",
    "PACIFICSTANDARDTIME": "America/Los_Angeles",
}


def _zone(xero_timezone: str | None) -> tzinfo:
    try:
        return ZoneInfo(XERO_TIMEZONES.get((xero_timezone or "").upper(), "UTC"))
    except ZoneInfoNotFoundError:  # no tz database on the machine: UTC is the safe fallback
        return timezone.utc


def today(epoch_seconds: float, xero_timezone: str | None = None) -> datetime:
    """The calendar day it is now in the organisation's timezone (Xero's default Date)."""
    return day(datetime.fromtimestamp(epoch_seconds, tz=_zone(xero_timezone)))


def _epoch_ms(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))
