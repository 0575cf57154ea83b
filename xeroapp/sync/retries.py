"""When a push that met a passing fault (5xx, timeout, dropped connection) is tried again.

Xero's 500/502/503/504 and lost connections are usually over within minutes, so a push is
tried ``MAX_ATTEMPTS`` times with exponential backoff: 40 s, 80 s, 160 s, 320 s, each ±20 %
so that pushes failed by the same outage do not all come back in the same second; about ten
minutes in all, after which a person decides (Try again). A retry repeats
the push's Idempotency-Keys, so a call Xero did apply before the answer was lost is replayed,
not made twice. Rate-limit waits are not counted here: they always end, at a known time.
"""
from __future__ import annotations

import random
from datetime import datetime

from flask import current_app, has_app_context

from xeroapp.sync import messages
from xeroapp.timezones import clock_time
from xeroapp.xero.errors import XeroError

MAX_ATTEMPTS = 5
BASE_DELAY = 40.0  # seconds before the first retry
JITTER = 0.2


def delay(failures: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``failures``-th consecutive failure (1 = the first)."""
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return BASE_DELAY * 2 ** (failures - 1) * spread / _time_scale()


def _time_scale() -> float:
    """XERO_TIME_SCALE (benchmarks against a sped-up sandbox): Xero's outages pass that much
    faster there too. 1 outside an app context."""
    return float(current_app.config.get("XERO_TIME_SCALE", 1.0)) if has_app_context() else 1.0


def can_retry(failures: int) -> bool:
    return failures < MAX_ATTEMPTS


def retrying_message(exc: XeroError, failures: int, resume_at: datetime, time_zone: str) -> str:
    return (f"Xero could not be reached: {exc} Trying again at {clock_time(resume_at, time_zone)} "
            f"(attempt {failures + 1} of {MAX_ATTEMPTS}).")


def gave_up_message(exc: XeroError, record_kind: str, action: str) -> str:
    """After the last attempt: what may have happened in Xero, and that Try again is safe."""
    return messages.gave_up(exc, MAX_ATTEMPTS, record_kind, action)
