"""The IANA time zones a workspace may show its times in.

The list comes from ``zoneinfo`` (the system's tz database, else the ``tzdata`` package), so a
name we accept is one ``ZoneInfo`` can load on this machine.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_TIME_ZONE = "UTC"
# Files in a tz directory that are not places: "localtime" is the server's own setting (a link
# some systems keep in /usr/share/zoneinfo), "Factory" the tz database's "zone not set" marker.
NOT_PLACES = frozenset({"localtime", "Factory"})


@cache
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on every call: read it once per process.
    return frozenset(available_timezones()) - NOT_PLACES


@cache
def sorted_zones() -> tuple[str, ...]:
    return tuple(sorted(_known_zones()))


def is_known_zone(name: str | None) -> bool:
    return bool(name) and name in _known_zones()


def known_zone_or_default(name: str | None) -> str:
    """What a browser reported, kept only if we know it: anything else becomes UTC."""
    return name if is_known_zone(name) else DEFAULT_TIME_ZONE


def in_zone(value: datetime, name: str | None) -> datetime:
    """A stored time (aware UTC; a naive one is taken as UTC) as the clock in zone ``name``
    reads it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone(name))


def clock_time(value: datetime, name: str | None) -> str:
    """``14:05:09 NZDT``: a time of day for a message written now and read later."""
    return in_zone(value, name).strftime("%H:%M:%S %Z")


def zone(name: str | None) -> ZoneInfo:
    """The zone to convert times into; UTC for a name we do not know (a row edited by hand, or
    a zone a newer tz database dropped) rather than an error on every page."""
    return ZoneInfo(known_zone_or_default(name))
