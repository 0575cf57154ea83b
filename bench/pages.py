"""How fast the integration panel answers, idle and while a big push runs.

``python -m bench.pages [--n 200] [--load 500] [--latency 2] [--workers 2] [--postgres URL]``

Starts the real stack (bench/stack.py: gunicorn as configured by gunicorn.conf.py, RQ
workers, the sandbox, Redis; SQLite, or a scratch database on a PostgreSQL server), signs up
and connects Xero through the real pages, then times, as htmx sends them, N Send clicks
(POST /xero/client/<id>/push) and N panel polls (GET /xero/client/<id>/panel of a record
whose push is pending), one client after another, with the sandbox taking ``--latency``
seconds per call throughout:

1. idle: nothing else queued; only the pushes the timed clicks start themselves (dropped
   afterwards, so that the load below does not queue behind them);
2. loaded: ``--load`` invoices sent to Xero, by the list's bulk send where the app has one,
   else one Send per invoice; timing starts once the load's first call has reached Xero.

Prints p50/p95 of each and the loaded/idle ratio of the p95s, then one line of name=value
pairs. Targets (issue 6): p95 < 50 ms, ratio <= 1.2.
"""
from __future__ import annotations

import argparse
import runpy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python bench/pages.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.person import Person, add_clients, add_invoices, sandbox_call, workspace_id_of  # noqa: E402
from bench.stack import (BenchStack, app_settings, machine, scratch_database,  # noqa: E402
                         workdir)
from tests.e2e.stack import ROOT  # noqa: E402

WARM_UP = 30
P95_TARGET_MS = 50.0
RATIO_TARGET = 1.2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="timed clicks and polls per phase")
    parser.add_argument("--load", type=int, default=500, help="invoices pushed as background load")
    parser.add_argument("--latency", type=float, default=2.0, help="sandbox seconds per API call")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="a PostgreSQL server (any database on it) to run on, in a new database "
                             "dropped afterwards; default: a temporary SQLite file")
    return parser.parse_args(argv)


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000.0


def measure(person: Person, client_ids: list[int]) -> tuple[list[float], list[float]]:
    """Per record: click Send, then poll its panel (its push is pending by then)."""
    sends, polls = [], []
    for client_id in client_ids:
        sends.append(timed(lambda: person.send("client", client_id)))
        polls.append(timed(lambda: person.poll("client", client_id)))
    return sends, polls


def phase(stack: BenchStack, person: Person,
          client_ids: list[int]) -> tuple[list[float], list[float], dict[str, float]]:
    """``measure``, plus the cores the workers and the web processes used meanwhile."""
    parts = ("worker-", "web")
    cpu_before = {part: stack.cpu_seconds(part) for part in parts}
    began = time.monotonic()
    sends, polls = measure(person, client_ids)
    window = time.monotonic() - began
    return sends, polls, {part: round((stack.cpu_seconds(part) - cpu_before[part]) / window, 2)
                          for part in parts}


def pending_pushes() -> int:
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob

    count = db.session.scalar(sa.select(sa.func.count()).select_from(PushJob).where(
        PushJob.status.in_(PENDING_PUSH_STATUSES)))
    db.session.commit()  # end the read transaction: SQLite would otherwise keep its snapshot
    return int(count)


def clear_backlog(stack: BenchStack) -> None:
    """Between the phases: drop the pushes the idle clicks started. At Xero's 60 calls a
    minute they would keep the workers busy for minutes, and the load queued behind them
    would not have started when the loaded phase is timed."""
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models.types import utcnow
    from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob
    from xeroapp.queue import get_queue

    queue = get_queue()
    queue.empty()
    scheduled = queue.scheduled_job_registry
    for job_id in scheduled.get_job_ids():
        if job_id.startswith("push-"):
            scheduled.remove(job_id)
    db.session.execute(sa.update(PushJob).where(PushJob.status.in_(PENDING_PUSH_STATUSES)).values(
        status="failed", error_message="Cleared by the benchmark between phases.",
        finished_at=utcnow()))
    db.session.commit()
    wait_until(lambda: not stack.busy_workers(), "the workers to finish their current push")


def wait_until(ready: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {limit:.0f} s")
        time.sleep(0.2)


def sandbox_calls(stack: BenchStack) -> int:
    return sandbox_call(stack.sandbox_url, "GET", "/_sandbox/stats")["totals"].get("calls", 0)


def gunicorn_processes(stack: BenchStack) -> int:
    """The web processes gunicorn.conf.py starts with this environment."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return int(stack.env.get("WEB_CONCURRENCY") or settings["workers"])


def start_load(person: Person, invoice_ids: list[int]) -> str:
    """Queue the background load; which way it went ("bulk" or "single")."""
    if person.bulk_send("invoices"):
        return "bulk"
    for invoice_id in invoice_ids:
        person.send("invoice", invoice_id)
    return "single"


def run(args: argparse.Namespace) -> dict[str, object]:
    from xeroapp import create_app
    from xeroapp.extensions import db
    from xeroapp.queue import close_redis

    with workdir("bench-pages-") as tmp, scratch_database(args.postgres) as database_url:
        stack = BenchStack(Path(tmp), database_url=database_url).start(workers=args.workers)
        app = create_app(app_settings(stack))
        person = Person(stack.web_url)
        try:
            person.sign_up()
            person.connect_xero()
            with app.app_context():
                workspace_id = workspace_id_of(person.email)
                warm_ids = add_clients(workspace_id, WARM_UP, "Warm Client")
                idle_ids = add_clients(workspace_id, args.n, "Idle Client")
                loaded_ids = add_clients(workspace_id, args.n, "Busy Client")
                load_ids = add_invoices(workspace_id, add_clients(workspace_id, args.load, "Load Client"),
                                        "LOAD")
            sandbox_call(stack.sandbox_url, "POST", "/_sandbox/faults", {"latency": args.latency})
            # Warm-up, not timed: imports, templates and pools in every gunicorn process.
            measure(person, warm_ids)

            idle_sends, idle_polls, idle_cpu = phase(stack, person, idle_ids)
            with app.app_context():
                clear_backlog(stack)
                calls_before = sandbox_calls(stack)
                load_way = start_load(person, load_ids)
                wait_until(lambda: sandbox_calls(stack) > calls_before, "the load to reach Xero")
                pending_before = pending_pushes()
                loaded_sends, loaded_polls, loaded_cpu = phase(stack, person, loaded_ids)
                pending_after, calls = pending_pushes(), sandbox_calls(stack) - calls_before
        finally:
            person.close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            close_redis(app)
            stack.stop()
    out = figures(args, stack, load_way, idle_sends, idle_polls, loaded_sends, loaded_polls,
                  pending_before, pending_after, calls)
    # Cores kept busy while each phase was timed: what the web processes compete with.
    for name, cpu in (("idle", idle_cpu), ("loaded", loaded_cpu)):
        out[f"worker_cores_{name}"], out[f"web_cores_{name}"] = cpu["worker-"], cpu["web"]
    return out


def figures(args, stack, load_way, idle_sends, idle_polls, loaded_sends, loaded_polls,
            pending_before, pending_after, calls) -> dict[str, object]:
    out: dict[str, object] = {"bench": "pages", "n": args.n, "load_records": args.load,
                              "load_way": load_way, "latency_s": f"{args.latency:g}",
                              "database": "postgresql" if args.postgres else "sqlite",
                              "workers": args.workers,
                              "web_processes": gunicorn_processes(stack)}
    for name, idle, loaded in (("send", idle_sends, loaded_sends), ("poll", idle_polls, loaded_polls)):
        for phase, samples in (("idle", idle), ("loaded", loaded)):
            out[f"{name}_{phase}_p50_ms"] = round(percentile(samples, 50), 1)
            out[f"{name}_{phase}_p95_ms"] = round(percentile(samples, 95), 1)
        out[f"{name}_ratio_p95"] = round(out[f"{name}_loaded_p95_ms"] / out[f"{name}_idle_p95_ms"], 2)
    out["pending_pushes_loaded_start"] = pending_before
    out["pending_pushes_loaded_end"] = pending_after
    out["sandbox_calls_since_load_start"] = calls
    worst_p95 = max(out[k] for k in out if k.endswith("_p95_ms"))
    worst_ratio = max(out["send_ratio_p95"], out["poll_ratio_p95"])
    out["target_met"] = "yes" if worst_p95 < P95_TARGET_MS and worst_ratio <= RATIO_TARGET else "no"
    return out


def report(out: dict[str, object]) -> None:
    print(f"Send click and panel poll, {out['n']} each per phase; load: {out['load_records']} "
          f"invoices ({out['load_way']}), sandbox latency {out['latency_s']} s per call")
    for name in ("send", "poll"):
        print(f"  {name}: idle p50 {out[f'{name}_idle_p50_ms']} ms, p95 {out[f'{name}_idle_p95_ms']} ms"
              f" | loaded p50 {out[f'{name}_loaded_p50_ms']} ms, p95 {out[f'{name}_loaded_p95_ms']} ms"
              f" | p95 ratio {out[f'{name}_ratio_p95']}")
    print(f"  pushes pending while loaded: {out['pending_pushes_loaded_start']} at the start, "
          f"{out['pending_pushes_loaded_end']} at the end; target p95 < {P95_TARGET_MS:g} ms, "
          f"ratio <= {RATIO_TARGET:g}: {'met' if out['target_met'] == 'yes' else 'MISSED'}")
    print(" ".join(f"{k}={v}" for k, v in out.items()) + " " + machine(), flush=True)


def main(argv: list[str] | None = None) -> int:
    report(run(parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
