"""The real stack for the browser suite: sandbox, migrations, one RQ worker and the web app,
each its own process on a free port, as `make run` starts them.

Separate processes on purpose: the browser then meets the same server, worker fork and
Redis round trips a user does, and nothing in the test process can leak into what it checks.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cryptography.fernet import Fernet

from devstack import probes

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; a race with another suite is unlikely)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ChildProcesses:
    """Named child processes of one stack, each writing to ``<workdir>/<name>.log``
    (bench/stack.py builds on it too); ``stop()`` ends every one of them, last started first."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir, self.env = workdir, env
        self.processes: dict[str, subprocess.Popen] = {}

    def spawn(self, name: str, argv: list[str], *, own_group: bool = False) -> subprocess.Popen:
        """Start ``argv``; ``own_group`` puts it in a session of its own (to signal its tree)."""
        with open(self.workdir / f"{name}.log", "wb") as log:  # the child keeps its own copy
            proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=own_group)
        self.processes[name] = proc
        return proc

    def log_text(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log(self, name: str) -> str:
        """The end of a process's output, for error messages."""
        return self.log_text(name)[-4000:]

    def wait_until(self, name: str, proc: subprocess.Popen, ready: Callable[[], bool],
                   timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {timeout:.0f}s:\n{self.log(name)}")
            time.sleep(0.1)

    def run_once(self, name: str, argv: list[str], timeout: float = 120.0) -> None:
        if self.spawn(name, argv).wait(timeout=timeout) != 0:
            raise RuntimeError(f"{name} failed:\n{self.log(name)}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to every live process, last started first (the web app before the worker:
        nothing new is enqueued while the worker winds down), then SIGKILL after ``timeout``."""
        for name, proc in reversed(list(self.processes.items())):
            if proc.poll() is None:
                self.signal(name, proc, signal.SIGTERM)
        for name, proc in reversed(list(self.processes.items())):
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal(name, proc, signal.SIGKILL)
                proc.wait()

    def signal(self, name: str, proc: subprocess.Popen, signum: int) -> None:
        try:
            proc.send_signal(signum)
        except ProcessLookupError:
            pass


class Stack(ChildProcesses):
    """The browser suite's stack: where the web app and the sandbox answer."""

    def __init__(self, workdir: Path, web_url: str, sandbox_url: str, env: dict[str, str]) -> None:
        super().__init__(workdir, env)
        self.web_url, self.sandbox_url = web_url, sandbox_url


E2E_REDIS_DB = 9  # of the suite's Redis server: its worker must never take other tests' jobs


def separate_database(redis_url: str, db: int = E2E_REDIS_DB) -> str:
    """The same Redis server, another logical database (unix://...?db=N or redis://host/N).

    The session's other tests enqueue on the default database and run the jobs themselves;
    a live worker listening there would take them.
    """
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"] + [("db", str(db))]
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def stack_env(workdir: Path, redis_url: str, sandbox_url: str) -> dict[str, str]:
    """What every child gets: a throwaway database and secrets, Xero pointed at the sandbox."""
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "app",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "REDIS_URL": redis_url,
        # Fixed here so the web app and the worker agree (tokens are encrypted by one, read
        # by the other) without touching the developer's instance/ secrets.
        "SECRET_KEY": secrets.token_hex(32),
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "XERO_CLIENT_ID": "sandbox-app",
        "XERO_CLIENT_SECRET": "sandbox-secret",
        "XERO_LOGIN_URL": sandbox_url,
        "XERO_IDENTITY_URL": sandbox_url,
        "XERO_API_URL": sandbox_url,
        # The key the sandbox signs its webhook deliveries with, once a test registers them.
        "XERO_WEBHOOK_KEY": secrets.token_urlsafe(32),
    })
    return env


def start_stack(workdir: Path, redis_url: str) -> Stack:
    """Sandbox, `flask db upgrade`, worker, web app; returns once all of them answer."""
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url, web_url = f"http://{HOST}:{sandbox_port}", f"http://{HOST}:{web_port}"
    redis_url = separate_database(redis_url)
    stack = Stack(workdir, web_url, sandbox_url, stack_env(workdir, redis_url, sandbox_url))
    python, flask = sys.executable, [sys.executable, "-m", "flask", "--app", "app"]
    try:
        sandbox = stack.spawn("sandbox", [python, "-m", "xerosandbox", "--host", HOST,
                                          "--port", str(sandbox_port), "--memory", "--control"])
        stack.run_once("migrations", flask + ["db", "upgrade"])
        worker = stack.spawn("worker", flask + ["rq-worker", "--with-scheduler"])
        web = stack.spawn("web", flask + ["run", "--host", HOST, "--port", str(web_port),
                                          "--no-reload", "--no-debugger", "--with-threads"])
        discovery = f"{sandbox_url}/.well-known/openid-configuration"
        stack.wait_until("sandbox", sandbox, lambda: probes.answers_200(discovery))
        stack.wait_until("worker", worker, lambda: probes.rq_worker_registered(redis_url, worker.pid))
        stack.wait_until("web", web, lambda: probes.http_status(web_url + "/auth/login") == 200)
    except BaseException:
        stack.stop()
        raise
    return stack
