"""Pushes under injected faults, a killed worker and a Redis restart: is anything lost or
sent twice?

``python -m bench.chaos [--records 500] [--fault-rate 0.2] [--workers 3] [--time-scale 10]
[--no-redis-persist] [--bulk] [--seed 6 | --seeds 6,7,8,9,10]``

Starts the real stack (bench/stack.py) with the sandbox's clock ``--time-scale`` times faster
(the app is told, so its call budget and retry backoff follow), and sends ``--records``
records through the panel's Send button: half of them clients, half invoices each for a
client of its own (an invoice push sends its client first). Meanwhile:

- the sandbox fails ``--fault-rate`` of the accounting calls, in equal parts 429 (with
  Retry-After), 500, 503, timeout (connection dropped after a wait) and response lost after
  the change was committed;
- one worker is killed with SIGKILL (work horse included) mid-run, and a replacement
  started, as an operator would;
- Redis is stopped and started again once; some Sends are clicked while it is down. With
  persistence (the default, as a production Redis runs) it comes back with its queues; with
  ``--no-redis-persist`` everything RQ held is gone and only the PushJob rows remain.

Then waits until every push is final and counts, per record: synced (done, and in Xero
exactly once), failed with a reason, lost (no final outcome, or "done" but not in Xero),
duplicated (more than one object in Xero for the record) and failed in Xero: shown failed
while Xero holds an object with its number (an invoice's InvoiceNumber, a client's
ContactNumber), which invites a person to send it again and make a copy. Target: 0 lost,
0 duplicated, 0 failed in Xero, every record synced or failed with a reason.

``--bulk`` plays the scenario a person with a backlog plays: *Send all not in Xero* on
Clients, then on Invoices (batches of up to 50 per call), and the worker sending an invoice
batch is SIGKILLed once its rows are claimed (``--latency 10`` keeps each call in flight for
a second, so the kill lands while POST /Invoices is on its way).

``--seeds`` runs the whole scenario once per seed, each on a fresh stack (the seed draws
which calls the sandbox faults), then sums the counts over the seeds; a fault that turns up
in one seed of five needs several. One run (``--seed``, the default) takes as long as before.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python bench/chaos.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.person import Person, add_clients, add_invoices, sandbox_call, workspace_id_of  # noqa: E402
from bench.stack import (BenchStack, app_settings, machine, scratch_database,  # noqa: E402
                         workdir)
from xerosandbox.orgs import DEMO_TENANT_ID  # noqa: E402

FAULT_KINDS = ("429", "500", "503", "timeout", "lost_response")
FINAL = ("done", "failed", "ambiguous", "blocked")


@dataclass(frozen=True)
class Record:
    kind: str  # "client" or "invoice"
    id: int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=2.0,
                        help="sandbox seconds per call (real: latency / time scale)")
    parser.add_argument("--redis-persist", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--bulk", action="store_true",
                        help="press Send all not in Xero (clients, then invoices) instead of "
                             "each record's Send; a worker is killed mid invoice batch")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--seeds", type=_seed_list, default=None, metavar="6,7,8",
                        help="run the scenario once per seed (comma-separated), then sum up")
    parser.add_argument("--max-wait", type=float, default=900.0,
                        help="real seconds to wait for every push to end")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (processes' logs, databases)")
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="a PostgreSQL server (any database on it) to run on, in a new database "
                             "dropped afterwards; default: a temporary SQLite file")
    return parser.parse_args(argv)


def _seed_list(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not seeds:
        raise argparse.ArgumentTypeError("no seed given")
    return seeds


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- reading the outcome ----------------------------------------------------------------------
def latest_pushes(workspace_id: int) -> dict[tuple[str, int], object]:
    """(kind, id) -> the record's newest PushJob row."""
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models.xero import PushJob

    rows = db.session.scalars(sa.select(PushJob).where(PushJob.workspace_id == workspace_id)
                              .order_by(PushJob.id)).all()
    db.session.commit()  # end the read: the next one must see the workers' new commits
    return {(row.record_kind, row.record_id): row for row in rows}


def status_counts(workspace_id: int) -> Counter:
    return Counter(row.status for row in latest_pushes(workspace_id).values())


def held_in_xero(sandbox_url: str) -> tuple[Counter, Counter]:
    """How many contacts per ContactNumber and invoices per InvoiceNumber the sandbox holds."""
    contacts = sandbox_call(sandbox_url, "GET", f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts")
    invoices = sandbox_call(sandbox_url, "GET", f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices")
    return (Counter(c.get("ContactNumber") for c in contacts["Contacts"] if c.get("ContactNumber")),
            Counter(i.get("InvoiceNumber") for i in invoices["Invoices"]))


def tally(records: list[Record], invoice_clients: dict[int, int], workspace_id: int,
          sandbox_url: str) -> dict[str, int]:
    from xeroapp.extensions import db
    from xeroapp.models import Invoice
    from xeroapp.xero.mapping import contact_number

    pushes = latest_pushes(workspace_id)
    contacts, invoices = held_in_xero(sandbox_url)
    numbers = {r.id: db.session.get(Invoice, r.id).number for r in records if r.kind == "invoice"}
    db.session.commit()
    out = Counter()
    for record in records:
        push = pushes.get((record.kind, record.id))
        copies = [contacts[contact_number("client", record.id)]] if record.kind == "client" else \
            [invoices[numbers[record.id]], contacts[contact_number("client", invoice_clients[record.id])]]
        if any(n > 1 for n in copies):
            out["duplicated"] += 1
        if push is None or push.status not in FINAL:
            out["lost"] += 1
        elif push.status == "done":
            if copies[0] == 0:
                out["lost"] += 1  # says synced, but Xero does not have it
                out["done_but_missing"] += 1
            else:
                out["synced"] += 1
        else:
            if push.error_message:
                out["failed_with_reason"] += 1
                out[f"failed_{push.error_kind or 'other'}"] += 1
            else:
                out["failed_without_reason"] += 1
            if push.status == "failed" and copies[0] > 0:
                out["failed_in_xero"] += 1  # shown failed, yet Xero holds it
    headline = ("synced", "failed_with_reason", "failed_without_reason", "lost", "duplicated",
                "failed_in_xero", "done_but_missing")
    return {name: out[name] for name in headline} | {
        name: count for name, count in sorted(out.items()) if name not in headline}


# -- the run ----------------------------------------------------------------------------------
def fault_settings(args: argparse.Namespace) -> dict:
    share = args.fault_rate / len(FAULT_KINDS)
    return {"rates": {kind: share for kind in FAULT_KINDS}, "seed": args.seed,
            "latency": args.latency,
            # A timeout holds the call this long (sandbox seconds) before dropping it: 3 s real
            # whatever the scale, well inside the client's own 30 s timeout.
            "timeout_seconds": 3.0 * args.time_scale}


def click(person: Person, records: list[Record]) -> int:
    for record in records:
        person.send(record.kind, record.id)
    return len(records)


def wait_for(what: str, ready, limit: float, every: float = 0.5) -> float:
    began = time.monotonic()
    while not ready():
        if time.monotonic() - began > limit:
            log(f"gave up waiting for {what} after {limit:.0f}s")
            break
        time.sleep(every)
    return time.monotonic() - began


def make_records(workspace_id: int, count: int) -> tuple[list[Record], dict[int, int]]:
    """Half clients, half invoices each for a client of its own; interleaved, so that every
    stage of the run meets both kinds. Also returns invoice id -> its client's id."""
    half = count // 2
    client_ids = add_clients(workspace_id, half, "Chaos Client")
    billed = add_clients(workspace_id, count - half, "Billed Client")
    invoice_ids = add_invoices(workspace_id, billed, "CHAOS")
    clients = [Record("client", i) for i in client_ids]
    invoices = [Record("invoice", i) for i in invoice_ids]
    records = [r for pair in zip(clients, invoices) for r in pair]
    records += clients[len(invoices):] + invoices[len(clients):]
    return records, dict(zip(invoice_ids, billed))


class Run:
    """One chaos run against a started stack: clicks, breakage, waiting, counting."""

    def __init__(self, args: argparse.Namespace, stack: BenchStack, app, person: Person) -> None:
        self.args, self.stack, self.app, self.person = args, stack, app, person
        self.events: dict[str, object] = {}
        self.workspace_id = 0
        self.records: list[Record] = []
        self.invoice_clients: dict[int, int] = {}
        self.began = self.last_progress = time.monotonic()

    def finished(self) -> int:
        with self.app.app_context():
            counts = status_counts(self.workspace_id)
        return sum(counts[s] for s in FINAL)

    def at(self) -> float:
        return round(time.monotonic() - self.began, 1)

    def play(self) -> None:
        with self.app.app_context():
            self.workspace_id = workspace_id_of(self.person.email)
            self.records, self.invoice_clients = make_records(self.workspace_id, self.args.records)
        sandbox_call(self.stack.sandbox_url, "POST", "/_sandbox/faults", fault_settings(self.args))
        if self.args.bulk:
            self.play_bulk()
        else:
            self.play_clicks()

    def play_bulk(self) -> None:
        """*Send all not in Xero* on Clients, then on Invoices; a worker is SIGKILLed while
        it runs an invoice batch (its POST /Invoices in flight or about to be)."""
        self.began = time.monotonic()
        log("pressing Send all not in Xero on Clients, then on Invoices")
        for plural in ("clients", "invoices"):
            if not self.person.bulk_send(plural):
                raise RuntimeError("this app has no bulk send")
        wait_for("a worker to send an invoice batch", lambda: self.invoice_batch_worker(), 300,
                 every=0.05)
        victim = self.invoice_batch_worker()
        self.events["killed_mid_invoice_batch"] = "yes" if victim else "no"
        self.kill_a_worker(victim)
        waited = wait_for("every push to end", self.all_final, self.args.max_wait)
        self.events["elapsed_s"] = self.at()
        self.events["all_final"] = "yes" if waited < self.args.max_wait else "no"

    def invoice_batch_worker(self) -> str | None:
        """The worker whose current RQ job is a batch of invoice rows, if one is."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        from xeroapp.extensions import db
        from xeroapp.models.xero import PushJob
        from xeroapp.sync.bulk.jobs import rows_carried

        for name, job_id in self.stack.current_jobs().items():
            try:
                row_ids = rows_carried(Job.fetch(job_id, connection=self.stack.redis()))
            except NoSuchJobError:
                continue
            with self.app.app_context():
                row = db.session.get(PushJob, row_ids[0]) if row_ids else None
                # claimed: the batch's rows are sent now (or in a moment), not merely picked up
                sending = row is not None and row.record_kind == "invoice" and row.status == "running"
                db.session.commit()
            if sending:
                return name
        return None

    def play_clicks(self) -> None:
        """Send clicked record by record, with a worker killed and Redis restarted meanwhile."""
        n = len(self.records)
        first, during_outage, rest = (self.records[:n * 2 // 5], self.records[n * 2 // 5:n // 2],
                                      self.records[n // 2:])
        self.began = time.monotonic()
        log(f"clicking Send on {len(first)} records")
        click(self.person, first)
        wait_for("10% of the pushes to end", lambda: self.finished() >= 0.1 * n, 300)
        self.kill_a_worker()
        wait_for("20% of the pushes to end", lambda: self.finished() >= 0.2 * n, 300)
        self.stack.stop_redis()
        self.events["redis_down_at_s"] = self.at()
        log(f"Redis stopped (persistence {'on' if self.args.redis_persist else 'off'}); "
            f"clicking Send on {len(during_outage)} records while it is down")
        click(self.person, during_outage)
        self.stack.start_redis()
        log(f"Redis back; clicking Send on the other {len(rest)} records")
        click(self.person, rest)
        self.events["workers_alive_after_restart"] = len(self.stack.live_workers())
        waited = wait_for("every push to end", self.all_final, self.args.max_wait)
        self.events["elapsed_s"] = self.at()
        self.events["all_final"] = "yes" if waited < self.args.max_wait else "no"

    def kill_a_worker(self, victim: str | None = None) -> None:
        """SIGKILL ``victim``, else a worker that is running a push (any, if none is), then
        start another."""
        busy = self.stack.busy_workers()
        victim = victim or (busy or self.stack.live_workers())[0]
        self.stack.kill_worker(victim)
        self.events["killed_at_s"] = self.at()
        self.events["killed_mid_job"] = "yes" if victim in busy else "no"
        log(f"SIGKILLed {victim}; starting a replacement")
        self.stack.start_worker()

    def all_final(self) -> bool:
        with self.app.app_context():
            counts = status_counts(self.workspace_id)
        if time.monotonic() - self.last_progress > 15:
            self.last_progress = time.monotonic()
            log(f"{dict(counts)}; live workers {len(self.stack.live_workers())}")
        # Every record's own newest push: a bulk send also makes rows for billed clients.
        with self.app.app_context():
            pushes = latest_pushes(self.workspace_id)
        return all(getattr(pushes.get((r.kind, r.id)), "status", None) in FINAL
                   for r in self.records)

    def figures(self) -> dict[str, object]:
        time.sleep(1.0)  # a replayed call still in flight lands before Xero is read
        with self.app.app_context():
            outcome = tally(self.records, self.invoice_clients, self.workspace_id,
                            self.stack.sandbox_url)
            pushes = latest_pushes(self.workspace_id).values()
            attempts = [row.attempts for row in pushes]
            waits = [row.rate_limit_waits for row in pushes]
        stats = sandbox_call(self.stack.sandbox_url, "GET", "/_sandbox/stats")["totals"]
        args = self.args
        out: dict[str, object] = {
            "bench": "chaos", "seed": args.seed, "records": len(self.records),
            "clients": sum(r.kind == "client" for r in self.records),
            "invoices": sum(r.kind == "invoice" for r in self.records),
            "fault_rate": args.fault_rate, "workers": args.workers,
            "time_scale": f"{args.time_scale:g}", "latency_s": f"{args.latency:g}",
            "scenario": "bulk" if args.bulk else "clicks",
            "redis_persist": "yes" if args.redis_persist else "no",
            "database": "postgresql" if args.postgres else "sqlite"}
        out |= outcome
        out |= self.events
        out |= {"workers_alive_end": len(self.stack.live_workers()),
                "workers_rejoined_after_redis": self.stack.logs_mentioning(
                    "worker-", "Redis went away while a job ran"),
                "pushes_revived_from_dead_worker": self.stack.logs_mentioning(
                    "worker-", "its worker died mid-push"),
                "max_attempts": max(attempts or [0]),
                "max_rate_limit_waits": max(waits or [0]), "sandbox_calls": stats.get("calls", 0),
                "replays": stats.get("replays", 0),
                "lost_responses": stats.get("lost_responses", 0),
                "rate_limited": stats.get("rate_limited", 0)}
        out |= {f"faults_{kind}": stats.get(f"faults.{kind}", 0) for kind in FAULT_KINDS}
        ok = (out["lost"] == 0 and out["duplicated"] == 0 and out["failed_in_xero"] == 0
              and out["failed_without_reason"] == 0)
        out["target_met"] = "yes" if ok else "no"
        return out


def run(args: argparse.Namespace) -> dict[str, object]:
    from xeroapp import create_app
    from xeroapp.extensions import db
    from xeroapp.queue import close_redis

    with workdir("bench-chaos-", keep=args.keep) as tmp, \
            scratch_database(args.postgres) as database_url:
        stack = BenchStack(Path(tmp), time_scale=args.time_scale, redis_persist=args.redis_persist,
                           database_url=database_url).start(workers=args.workers)
        app = create_app(app_settings(stack))
        person = Person(stack.web_url)
        try:
            person.sign_up()
            person.connect_xero()
            chaos = Run(args, stack, app, person)
            chaos.play()
            out = chaos.figures()
            if args.keep:
                log(f"logs and databases kept in {tmp}")
        finally:
            person.close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            close_redis(app)
            stack.stop()
    return out


def report(out: dict[str, object]) -> None:
    print(f"{out['records']} records ({out['clients']} clients, {out['invoices']} invoices), "
          f"{float(out['fault_rate']):.0%} faults, {out['workers']} workers, time scale "
          f"{out['time_scale']}, Redis persistence {out['redis_persist']}")
    print(f"  synced {out['synced']}, failed with a reason {out['failed_with_reason']}, "
          f"lost {out['lost']}, duplicated {out['duplicated']}, "
          f"shown failed while Xero holds them {out['failed_in_xero']} "
          f"(target 0 lost, 0 duplicated, 0 failed in Xero: "
          f"{'met' if out['target_met'] == 'yes' else 'MISSED'}); seed {out['seed']}, "
          f"{out['elapsed_s']} s")
    print(" ".join(f"{k}={v}" for k, v in out.items()) + " " + machine(), flush=True)


SUMMED = ("records", "synced", "failed_with_reason", "failed_without_reason", "lost",
          "duplicated", "failed_in_xero", "done_but_missing")


def report_seeds(outs: list[dict[str, object]]) -> None:
    """The counts summed over the seeds, and which seeds missed the target."""
    total = {name: sum(int(out[name]) for out in outs) for name in SUMMED}
    missed = [str(out["seed"]) for out in outs if out["target_met"] != "yes"]
    verdict = f"target missed in seed(s) {', '.join(missed)}" if missed else \
        "target met in every seed"
    print(f"{len(outs)} seeds: lost {total['lost']}, duplicated {total['duplicated']}, "
          f"shown failed while Xero holds them {total['failed_in_xero']}; {verdict}")
    line = {"bench": "chaos-seeds", "seeds": ",".join(str(out["seed"]) for out in outs)}
    line |= total
    line |= {"seeds_missed": ",".join(missed) or "none", "target_met": "no" if missed else "yes"}
    print(" ".join(f"{k}={v}" for k, v in line.items()) + " " + machine(), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    outs = []
    for seed in args.seeds or [args.seed]:
        if args.seeds:
            log(f"seed {seed} ({len(outs) + 1} of {len(args.seeds)})")
        outs.append(run(argparse.Namespace(**{**vars(args), "seed": seed})))
        report(outs[-1])
    if len(outs) > 1:
        report_seeds(outs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
