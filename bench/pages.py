"""How fast the integration panel answers, idle and while a big push runs.

``python -m bench.pages [--rounds 8] [--block 6] [--load 500] [--latency 2] [--workers 2]
[--postgres URL]``

Starts the real stack (bench/stack.py: gunicorn as configured by gunicorn.conf.py, RQ
workers, the sandbox, Redis; SQLite, or a scratch database on a PostgreSQL server), signs up
and connects Xero through the real pages, then times, as htmx sends them, Send clicks
(POST /xero/client/<id>/push) and panel polls (GET /xero/client/<id>/panel of a record whose
push is pending), one client after another for ``--block`` seconds, with the sandbox taking
``--latency`` seconds per call throughout, in two conditions:

- idle: nothing else queued; only the pushes the timed clicks start themselves;
- loaded: ``--load`` invoices being sent to Xero by the invoices list's bulk send (topped
  up before each block); timing starts once the first batch has come back from Xero and
  been recorded, so every block sees the workers' whole cycle: waiting on Xero, then
  mapping and recording 50 results. The default block (6 s) spans three 2-s calls.

The two alternate in ``--rounds`` rounds (idle, loaded, idle, loaded ...) and each
condition's samples are pooled. On a shared 2-core VM the machine's own speed drifts by a
third from one minute to the next; timing one condition after the other would put that drift
into the ratio, while alternating makes both conditions meet it alike. Between blocks the
pushes they started are dropped, so each block starts from its own condition.

Prints p50/p95 of each and the loaded/idle ratio of the p95s, then one line of name=value
pairs. Targets: p95 < 50 ms, ratio <= 1.2 (pages stay fast while a bulk push runs).
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
    parser.add_argument("--rounds", type=int, default=8, help="idle/loaded alternations")
    parser.add_argument("--block", type=float, default=6.0,
                        help="seconds of clicks and polls per block")
    parser.add_argument("--load", type=int, default=500, help="invoices in the bulk push each loaded block runs under")
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


def measure(person: Person, client_ids: list[int],
            seconds: float | None = None) -> tuple[list[float], list[float]]:
    """Per record: click Send, then poll its panel (its push is pending by then); stops
    after ``seconds`` if given, else after the last record."""
    sends, polls = [], []
    deadline = time.monotonic() + seconds if seconds else None
    for client_id in client_ids:
        sends.append(timed(lambda: person.send("client", client_id)))
        polls.append(timed(lambda: person.poll("client", client_id)))
        if deadline and time.monotonic() >= deadline:
            return sends, polls
    if deadline:
        raise RuntimeError(f"ran out of clients before {seconds:g} s had passed")
    return sends, polls


class Condition:
    """The samples and CPU use of one condition (idle or loaded), pooled over its blocks."""

    PARTS = ("worker-", "web", "sandbox")

    def __init__(self) -> None:
        self.sends: list[float] = []
        self.polls: list[float] = []
        self.seconds = 0.0
        self.cpu = dict.fromkeys(self.PARTS, 0.0)

    def time_block(self, stack: BenchStack, person: Person, client_ids: list[int],
                   seconds: float) -> None:
        """``measure`` for ``seconds``, noting the cores the processes used meanwhile."""
        before = {part: stack.cpu_seconds(part) for part in self.PARTS}
        began = time.monotonic()
        sends, polls = measure(person, client_ids, seconds)
        self.seconds += time.monotonic() - began
        self.sends += sends
        self.polls += polls
        for part in self.PARTS:
            self.cpu[part] += stack.cpu_seconds(part) - before[part]

    def cores(self, part: str) -> float:
        """Cores ``part`` kept busy on average while this condition was timed."""
        return round(self.cpu[part] / self.seconds, 2)


def pending_pushes() -> int:
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob

    count = db.session.scalar(sa.select(sa.func.count()).select_from(PushJob).where(
        PushJob.status.in_(PENDING_PUSH_STATUSES)))
    db.session.commit()  # end the read transaction: SQLite would otherwise keep its snapshot
    return int(count)


def clear_backlog(stack: BenchStack) -> None:
    """Between blocks: drop the pushes the last block started. At Xero's 60 calls a
    minute they would keep the workers busy for minutes: an idle block would not be idle,
    and a load queued behind them would not have started when a loaded block is timed."""
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models.types import utcnow
    from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob
    from xeroapp.queue import get_queue

    queue = get_queue()
    queue.empty()
    scheduled = queue.scheduled_job_registry
    for job_id in scheduled.get_job_ids():
        if job_id.startswith(("push-", "bulk-")):
            scheduled.remove(job_id)
    db.session.execute(sa.update(PushJob).where(PushJob.status.in_(PENDING_PUSH_STATUSES)).values(
        status="failed", error_message="Cleared by the benchmark between blocks.",
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


def start_load(person: Person, workspace_id: int, records: int, round_number: int) -> None:
    """Top the invoices not in Xero up to ``records``, then click "Send all not in Xero" on
    the invoices list: every loaded block runs under a full-size bulk push, not under what
    the earlier blocks left over. Call inside an app context."""
    from xeroapp.models.xero import XeroConnection
    from xeroapp.sync.bulk import runs as bulk

    tenant_id = XeroConnection.usable_for(workspace_id).tenant_id
    missing = records - bulk.count("invoice", "send", workspace_id, tenant_id)
    if missing > 0:
        add_invoices(workspace_id, add_clients(workspace_id, missing, f"Load Client R{round_number}"),
                     f"LOAD{round_number}")
    if not person.bulk_send("invoices"):
        raise RuntimeError("the invoices list has no bulk send")


def load_has_recorded_a_batch(workspace_id: int) -> bool:
    """True once the running bulk push has recorded the outcome of its first batch."""
    from xeroapp.extensions import db
    from xeroapp.sync.bulk import runs as bulk

    run = bulk.running(workspace_id, "invoice")
    done = run is not None and bulk.progress(run).done_count > 0
    db.session.commit()  # end the read transaction: SQLite would otherwise keep its snapshot
    return done


def run(args: argparse.Namespace) -> dict[str, object]:
    from xeroapp import create_app
    from xeroapp.extensions import db
    from xeroapp.queue import close_redis

    idle, loaded = Condition(), Condition()
    pending_at_starts, load_calls = [], 0
    # Enough clients that no block runs out before its time is up (a click takes >= 5 ms).
    per_block = int(args.block / 0.005)
    with workdir("bench-pages-") as tmp, scratch_database(args.postgres) as database_url:
        stack = BenchStack(Path(tmp), database_url=database_url,
                           sandbox_nice=19).start(workers=args.workers)
        app = create_app(app_settings(stack))
        person = Person(stack.web_url)
        try:
            person.sign_up()
            person.connect_xero()
            with app.app_context():
                workspace_id = workspace_id_of(person.email)
                warm_ids = add_clients(workspace_id, WARM_UP, "Warm Client")
            sandbox_call(stack.sandbox_url, "POST", "/_sandbox/faults", {"latency": args.latency})
            # Warm-up, not timed: imports, templates and pools in every gunicorn process.
            measure(person, warm_ids)

            for round_number in range(1, args.rounds + 1):
                with app.app_context():
                    idle_ids = add_clients(workspace_id, per_block, f"Idle Client R{round_number}")
                    loaded_ids = add_clients(workspace_id, per_block, f"Busy Client R{round_number}")
                    clear_backlog(stack)
                idle.time_block(stack, person, idle_ids, args.block)
                with app.app_context():
                    clear_backlog(stack)
                    calls_before = sandbox_calls(stack)
                    start_load(person, workspace_id, args.load, round_number)
                    wait_until(lambda: load_has_recorded_a_batch(workspace_id),
                               "the load's first batch to come back from Xero")
                    pending_at_starts.append(pending_pushes())
                loaded.time_block(stack, person, loaded_ids, args.block)
                load_calls += sandbox_calls(stack) - calls_before
        finally:
            person.close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            close_redis(app)
            stack.stop()
    out = figures(args, stack, idle, loaded)
    out["pending_pushes_at_loaded_starts_min"] = min(pending_at_starts)
    out["sandbox_calls_since_loads_started"] = load_calls
    # Cores kept busy while each condition was timed: what the web processes compete with.
    for name, condition in (("idle", idle), ("loaded", loaded)):
        for part in Condition.PARTS:
            out[f"{part.rstrip('-')}_cores_{name}"] = condition.cores(part)
    return out


def figures(args: argparse.Namespace, stack: BenchStack, idle: Condition,
            loaded: Condition) -> dict[str, object]:
    out: dict[str, object] = {"bench": "pages", "rounds": args.rounds, "block_s": f"{args.block:g}",
                              "idle_samples": len(idle.sends), "loaded_samples": len(loaded.sends),
                              "load_records": args.load,
                              "latency_s": f"{args.latency:g}",
                              "database": "postgresql" if args.postgres else "sqlite",
                              "workers": args.workers,
                              "web_processes": gunicorn_processes(stack)}
    for name in ("send", "poll"):
        for phase, condition in (("idle", idle), ("loaded", loaded)):
            samples = getattr(condition, f"{name}s")
            out[f"{name}_{phase}_p50_ms"] = round(percentile(samples, 50), 1)
            out[f"{name}_{phase}_p95_ms"] = round(percentile(samples, 95), 1)
        out[f"{name}_ratio_p95"] = round(out[f"{name}_loaded_p95_ms"] / out[f"{name}_idle_p95_ms"], 2)
    worst_p95 = max(out[k] for k in out if k.endswith("_p95_ms"))
    worst_ratio = max(out["send_ratio_p95"], out["poll_ratio_p95"])
    out["target_met"] = "yes" if worst_p95 < P95_TARGET_MS and worst_ratio <= RATIO_TARGET else "no"
    return out


def report(out: dict[str, object]) -> None:
    print(f"Send click and panel poll: {out['idle_samples']} idle and {out['loaded_samples']} "
          f"loaded of each, in {out['rounds']} idle/loaded rounds of {out['block_s']} s blocks; "
          f"load: a bulk send of {out['load_records']} invoices, sandbox latency "
          f"{out['latency_s']} s per call")
    for name in ("send", "poll"):
        print(f"  {name}: idle p50 {out[f'{name}_idle_p50_ms']} ms, p95 {out[f'{name}_idle_p95_ms']} ms"
              f" | loaded p50 {out[f'{name}_loaded_p50_ms']} ms, p95 {out[f'{name}_loaded_p95_ms']} ms"
              f" | p95 ratio {out[f'{name}_ratio_p95']}")
    print(f"  pushes pending when a loaded block began: at least "
          f"{out['pending_pushes_at_loaded_starts_min']}; Xero calls since the loads started: "
          f"{out['sandbox_calls_since_loads_started']}; target p95 < {P95_TARGET_MS:g} ms, "
          f"ratio <= {RATIO_TARGET:g}: {'met' if out['target_met'] == 'yes' else 'MISSED'}")
    print(" ".join(f"{k}={v}" for k, v in out.items()) + " " + machine(), flush=True)


def main(argv: list[str] | None = None) -> int:
    report(run(parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
