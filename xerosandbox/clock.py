"""The sandbox's clock: real time, optionally sped up, plus a test-controlled offset.

Everything in the sandbox that expires or counts per window (tokens, rate windows,
idempotency keys) reads time from here, so tests can jump ahead with
``POST /_sandbox/clock`` and benchmarks can run a "sandbox minute" in 60/N real seconds.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class Clock:
    """Sandbox time = start + (real elapsed x time_scale) + offset."""

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._real_start = time.monotonic()
        self._wall_start = time.time()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Sandbox time as epoch seconds."""
        elapsed = (time.monotonic() - self._real_start) * self.time_scale
        return self._wall_start + elapsed + self._offset

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> float:
        """Jump sandbox time forward (tests); returns the new time."""
        with self._lock:
            self._offset += seconds
        return self.now()

    def to_real_seconds(self, sandbox_seconds: float) -> float:
        """How long a sandbox duration lasts in real seconds (for sleeps and Retry-After)."""
        return sandbox_seconds / self.time_scale

    def sleep(self, sandbox_seconds: float) -> None:
        if sandbox_seconds > 0:
            time.sleep(self.to_real_seconds(sandbox_seconds))
