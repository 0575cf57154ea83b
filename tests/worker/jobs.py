"""Jobs for the threaded worker's tests, importable by a worker in another process."""
from __future__ import annotations

import threading
import time


def nap(seconds: float) -> dict:
    """Wait like a push waiting on Xero; when and in which thread, for overlap checks."""
    started = time.time()
    time.sleep(seconds)
    return {"started": started, "ended": time.time(), "thread": threading.get_ident()}


def dawdle(seconds: float) -> None:
    """Wait in short sleeps: a timeout raised into the thread lands between two of them (an
    exception sent to a thread waits for it to run Python code again)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)


def fail(message: str) -> None:
    raise RuntimeError(message)
