"""Memory of the workers that push to Xero: one process of N threads against N processes.

``python -m bench.worker_memory [--pushes 16] [--latency 0.3]``

Pushes wait on Xero (0.5-2 s a call at real Xero), so running several at once needs either
several forking workers (`flask rq-worker`, one process each, plus a work horse forked per
job) or one process of threads (`flask rq-worker --threads N`). For each layout this starts
the workers on a fresh queue, with Redis (embedded), SQLite and the sandbox (in this process,
each accounting call held ``--latency`` seconds), and measures the workers' process tree
(workers, work horses; not RQ's scheduler process) from /proc: RSS (pages counted once per process, so shared pages are
counted again in each process) and PSS (shared pages split between the processes sharing
them; the fair sum). Idle: registered and waiting. Peak: the largest sum sampled while the
``--pushes`` client pushes run. After: once every push is done.

Layouts: ``forking1`` (today's default, one job at a time), ``threads8`` (one process,
8 threads), ``forking8`` (8 processes). Each line is ``name=value`` (MiB, seconds).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from devstack import embedded_redis  # noqa: E402
# The tests' helpers for a sandbox server and a stored connection: the same set-up the
# worker tests push through, without a web server and a browser-like log-in.
from tests.xero.xero_support import mint, read_lists, start_live_sandbox, store_connection  # noqa: E402

LAYOUTS = {"forking1": (1, []), "threads8": (1, ["--threads", "8"]), "forking8": (8, [])}
FINAL = ("done", "failed", "ambiguous", "blocked")
WAIT_LIMIT = 180.0  # seconds for the pushes to end; those still pending are not counted done


@dataclass
class Memory:
    rss: float = 0.0  # MiB
    pss: float = 0.0

    def max(self, other: Memory) -> Memory:
        return Memory(max(self.rss, other.rss), max(self.pss, other.pss))


def tree(pids: list[int]) -> list[int]:
    """The pids and all their descendants (work horses)."""
    found = list(pids)
    for pid in pids:
        answer = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                                text=True)
        found += tree([int(p) for p in answer.stdout.split()])
    return found


def memory_of(pids: list[int], leave_out: set[int] = frozenset()) -> Memory:
    total = Memory()
    for pid in set(tree(pids)) - leave_out:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a work horse that just ended
        fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:])
        total.rss += int(fields["Rss"].split()[0]) / 1024
        total.pss += int(fields["Pss"].split()[0]) / 1024
    return total


def scheduler_pids(app) -> set[int]:
    from xeroapp.queue import get_redis

    with app.app_context():
        redis = get_redis()
        return {int(redis.hget(key, "pid") or 0) for key in redis.keys("rq:scheduler:*")}


def worker_env(settings: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **settings, "WORKER_NICE": "0"}
    env.pop("FLASK_APP", None)
    return env


def measure(app, layout: str, pushes: int, workspace_id: int) -> dict[str, float]:
    from rq import Worker

    from xeroapp.extensions import db
    from xeroapp.models import Client
    from xeroapp.models.xero import PushJob
    from xeroapp.queue import get_redis
    from xeroapp.sync.outbox import request_push

    processes, options = LAYOUTS[layout]
    expected = 8 if layout == "threads8" else processes
    env = worker_env({key: str(app.config[key]) for key in (
        "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "XERO_API_URL",
        "XERO_IDENTITY_URL", "XERO_LOGIN_URL")})
    with app.app_context():
        get_redis().flushdb()  # a fresh queue, and the call budget's minute starts afresh
    # The scheduler runs the retries of pushes that met the organisation's 5 calls in flight
    # (8 workers, one organisation); no sweep or polling, which would add calls of their own.
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "rq-worker",
                                 "--with-scheduler", "--no-sweep", *options], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(processes)]
    pids = [w.pid for w in workers]
    try:
        with app.app_context():
            while len(Worker.all(connection=get_redis())) < expected:
                time.sleep(0.1)
        time.sleep(2)
        # The scheduler's process (one for the deployment, whichever layout) is not a worker.
        schedulers = scheduler_pids(app)
        idle = memory_of(pids, schedulers)

        with app.app_context():
            clients = [Client(workspace_id=workspace_id, name=f"{layout} client {n:03d}")
                       for n in range(pushes)]
            db.session.add_all(clients)
            db.session.commit()
            started = time.monotonic()
            ids = [request_push(client, None).id for client in clients]
        peak = Memory()
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            peak = peak.max(memory_of(pids, schedulers))
            with app.app_context():
                statuses = db.session.scalars(db.select(PushJob.status).where(
                    PushJob.id.in_(ids))).all()
                db.session.rollback()
            if all(status in FINAL for status in statuses):
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        time.sleep(1)
        after = memory_of(pids, schedulers)
        done = sum(status == "done" for status in statuses)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    return {f"{layout}_idle_rss_mib": idle.rss, f"{layout}_idle_pss_mib": idle.pss,
            f"{layout}_peak_rss_mib": peak.rss, f"{layout}_peak_pss_mib": peak.pss,
            f"{layout}_after_rss_mib": after.rss, f"{layout}_after_pss_mib": after.pss,
            f"{layout}_push_seconds": elapsed, f"{layout}_pushes_done": done}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3,
                        help="seconds the sandbox holds each accounting call")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    args = parser.parse_args(argv)

    from xeroapp import create_app
    from xeroapp.config import TestConfig
    from xeroapp.extensions import db
    from xeroapp.workspaces import create_workspace

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the sandbox's request log
    # Stopped with SIGTERM (timeout, make): still stop the workers and Redis it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    with tempfile.TemporaryDirectory(prefix="worker-memory-") as workdir:
        redis_proc, redis_url = embedded_redis.start(Path(workdir))
        sandbox = start_live_sandbox()
        try:
            # Xero's per-organisation minute would bind before memory does: lifted here.
            requests.post(f"{sandbox.url}/_sandbox/limits", json={"per_minute": 100_000},
                          timeout=10).raise_for_status()
            requests.post(f"{sandbox.url}/_sandbox/faults", json={"latency": args.latency},
                          timeout=10).raise_for_status()
            settings = {name: getattr(TestConfig, name) for name in dir(TestConfig)
                        if name.isupper()}
            settings.update(DATABASE_URL=f"sqlite:///{workdir}/app.db", REDIS_URL=redis_url,
                            XERO_API_URL=sandbox.url, XERO_IDENTITY_URL=sandbox.url,
                            XERO_LOGIN_URL=sandbox.url)
            app = create_app(settings)
            with app.app_context():
                db.create_all()
                user = create_workspace(workspace_name="Bench Ltd", user_name="Bench",
                                        email="bench@example.com", password="bench password")
                db.session.commit()
                workspace_id = user.workspace_id
            store_connection(app, workspace_id, mint(sandbox.url))
            read_lists(app, sandbox.app, workspace_id)

            figures: dict[str, float] = {}
            for layout in args.layouts.split(","):
                figures.update(measure(app, layout, args.pushes, workspace_id))
                print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in figures.items() if k.startswith(layout)), flush=True)
        finally:
            sandbox.server.shutdown()
            embedded_redis.stop(redis_proc)
    print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
