"""A numbering series: a prefix and a running number (``INV-0001``), as Xero's own invoice
settings make them. Pure functions, shared by invoices and purchase orders, by the number
suggestions here and by what is read from the organisation on connect.

Xero's sequence is "a fixed prefix ... and an increasing number portion starting at 0001"
(Xero Central, "Change numbering on invoices, credit notes, quotes and purchase orders");
a number with something after the digits (INV-0001A) is not part of the series.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_WIDTH = 4  # Xero pads to 4 digits (INV-0001) and grows past INV-9999 unpadded
PREFIX_MAX = 10  # Xero's invoice settings take a prefix of up to 10 characters
NEXT_MAX = 999_999_999


def position_in_series(number: str, prefix: str) -> tuple[int, int] | None:
    """(value, digits) of ``number`` when it is ``prefix`` followed only by digits (the
    prefix compared case-insensitively, as Xero compares numbers), else None."""
    text = number.strip()
    if text[:len(prefix)].casefold() != prefix.casefold():
        return None
    digits = text[len(prefix):]
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits), len(digits)


def highest_in_series(numbers: Iterable[str | None], prefix: str) -> tuple[int, int] | None:
    """(value, digits) of the highest of ``numbers`` in the series, None when none is."""
    found = [p for n in numbers if n and (p := position_in_series(n, prefix)) is not None]
    return max(found) if found else None


def next_in_series(numbers: Iterable[str | None], prefix: str, at_least: int = 1) -> str:
    """The number after the highest of ``numbers`` in the series, and never below
    ``at_least`` (Settings' next number, raised on connect past the organisation's highest).
    Zero-padded as the highest in use is (4 digits when none is), so it cannot equal any
    number in use: every spelling of the same value is lower."""
    highest = highest_in_series(numbers, prefix)
    value, width = highest if highest else (0, DEFAULT_WIDTH)
    return format_number(prefix, max(value + 1, at_least), width)


def format_number(prefix: str, value: int, width: int = DEFAULT_WIDTH) -> str:
    return f"{prefix}{value:0{width}d}"
