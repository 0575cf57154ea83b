"""Run in a child process by test_sweeper.py: a real worker process, so that the test can
kill it with SIGKILL in the middle of a push, as a crash or an OOM kill would."""
from __future__ import annotations

from typing import Any


def run_worker(settings: dict[str, Any]) -> None:
    from xeroapp import create_app
    from xeroapp.worker import build_worker

    app = create_app(settings)
    build_worker(app, simple=True).work(burst=True)
