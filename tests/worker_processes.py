"""Real `flask rq-worker` processes for tests, started as an operator would start them.

- ``worker_env(app, sandbox_url)``: the environment of a worker of the test's deployment.
- ``worker_processes(app, sandbox_url)``: a context that yields ``start(*options)``; each
  process runs in a session of its own (a kill of its group reaches its work horse and
  scheduler too), and whatever is still running at the end is SIGKILLed and reaped.
- ``wait_until(what, ready)``: poll until ``ready()``, failing the test after ``limit`` s.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Start = Callable[..., subprocess.Popen]


def worker_env(app, sandbox_url: str) -> dict[str, str]:
    """What an operator's worker on this deployment would be started with."""
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["DATABASE_URL"], "REDIS_URL": config["REDIS_URL"],
           "SECRET_KEY": config["SECRET_KEY"],
           "TOKEN_ENCRYPTION_KEY": config["TOKEN_ENCRYPTION_KEY"],
           "XERO_CLIENT_ID": config["XERO_CLIENT_ID"],
           "XERO_CLIENT_SECRET": config["XERO_CLIENT_SECRET"],
           "XERO_LOGIN_URL": sandbox_url, "XERO_IDENTITY_URL": sandbox_url,
           "XERO_API_URL": sandbox_url, "WORKER_NICE": "0"}
    env.pop("FLASK_APP", None)
    return env


@contextmanager
def worker_processes(app, sandbox_url: str) -> Iterator[Start]:
    """``start(*options, sandbox_url=...)``: a `flask rq-worker` process with ``options``
    (its stderr readable as text)."""
    started: list[subprocess.Popen] = []

    def start(*options: str, sandbox_url: str = sandbox_url) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "rq-worker",
                                 *options], cwd=REPO, env=worker_env(app, sandbox_url),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            proc.stderr.close()


def wait_until(what: str, ready: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)
