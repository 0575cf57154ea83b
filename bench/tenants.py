"""Many Xero organisations sharing one app's workers: bulk pushes of many workspaces at once,
and what a person clicking Send in a quiet workspace meanwhile waits.

``python -m bench.tenants [--orgs 20] [--quiet 10] [--latency 1] [--window 120] [--workers 2]
[--threads 12] [--baseline-rev 0fc64a2] [--baseline-workers N]``

One run: a fresh stack (bench/stack.py: Redis, the sandbox with Xero's limits on at time scale
1, ``--workers`` `flask rq-worker --with-scheduler --threads N`, gunicorn) and ``--orgs`` +
``--quiet`` organisations made at the sandbox (``POST /_sandbox/orgs``), a scratch PostgreSQL
database (SQLite's single writer answers the simultaneous "Send all" with "database is
locked"); one person per
organisation signs up a workspace of their own and connects Xero choosing that organisation.
Each bulk workspace gets ``--bulk-clients`` clients written straight into the database (more
than Xero lets it push in the window), each quiet workspace a few; the app's reads after
connecting finish; then the sandbox's latency is set (``--latency`` s per accounting call).
Set-up is timed, not measured.

Measured: at one moment every bulk person presses "Send all not in Xero" on the clients
list, and for ``--window`` seconds every quiet person presses the Send button of one new
client's panel (over HTTP through gunicorn, as the browser does) every ``--interval``
seconds with jitter, on a schedule drawn once from ``--seed`` so that both runs get the same
clicks. After the window the bench waits up to ``--grace`` seconds for the quiet sends to
finish.

Figures, per run:
- quiet Send -> "In Xero": from the click to its push row's finished_at (push_jobs, read
  with plain SQL so any revision's database does), p50/p95 over the sends clicked in the
  window; a send still unfinished after the grace counts with the time it has waited so far,
  so the figure is then a lower bound (the output says how many).
- each bulk organisation's records done in the window as a share of Xero's ceiling for it
  (60 calls a minute x 50 records a call = 3,000 a minute, developer.xero.com/documentation/
  guides/oauth2/limits/): min, max and spread (max - min) over the organisations.
- records done per minute in the window (bulk and quiet), and what bounds them: the
  workers (each sends one call at a time, so at most workers x 50 records per latency), the
  machine (share of its CPU busy in the window), or Xero (orgs x 3,000 a minute).
- 429s from the sandbox (its stats, delta over the window), worker CPU seconds per 1,000
  records done, Redis commands per record done (INFO total_commands_processed, delta).

The baseline is the same load on the app as of ``--baseline-rev`` (default 0fc64a2: one FIFO
queue for everything, before bulk batches got a queue of their own): its web app, workers and
migrations run from a ``git archive`` of that revision, the sandbox from this tree, with
``--baseline-workers`` forking workers (default 8; 24, as many jobs at once as the threaded
run, overload this 2-core machine until its pages time out). (The
bench itself writes the clients with this tree's models: a revision whose clients table
differs would need its own insert.) The last line is ``name=value`` pairs.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.person import Person, insert_clients, sandbox_call, workspace_id_of  # noqa: E402
from bench.push import _close, totals  # noqa: E402
from bench.stack import (BenchStack, app_settings, machine, scratch_database,  # noqa: E402
                         source_tree, workdir)

CEILING_CALLS, RECORDS_PER_CALL = 60, 50
CEILING = CEILING_CALLS * RECORDS_PER_CALL  # records per organisation per Xero minute
SET_UP_PARALLEL = 4     # people signing up at once: more only queue on gunicorn and SQLite
IDLE_TIMEOUT_S = 180.0  # the app's reads after connecting must be done by then
POLL_S = 1.0
# PostgreSQL, as production runs: 20 "Send all" pressed at once each stage thousands of rows in one
# transaction, and SQLite's single writer makes them wait in turn past its 5 s busy timeout
# ("database is locked", HTTP 500).
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1/postgres"


@dataclass(frozen=True)
class Load:
    """What both runs get, identically."""
    orgs: int
    quiet: int
    latency: float
    window: float
    grace: float
    bulk_clients: int
    workers: int
    clicks: list[list[float]]  # per quiet workspace: seconds after the start of each Send

    @classmethod
    def draw(cls, args: argparse.Namespace) -> Load:
        """Each quiet person's clicks: a random first one within an interval, then one every
        interval x (0.5 .. 1.5), all inside the window."""
        rng = random.Random(args.seed)
        clicks = []
        for _ in range(args.quiet):
            at, mine = rng.uniform(0, args.interval), []
            while at < args.window:
                mine.append(at)
                at += args.interval * rng.uniform(0.5, 1.5)
            clicks.append(mine)
        return cls(args.orgs, args.quiet, args.latency, args.window, args.grace,
                   args.bulk_clients, args.workers, clicks)


@dataclass
class Run:
    name: str
    threads: int
    workers: int
    set_up: dict[str, float] = field(default_factory=dict)
    quiet_waits: list[float] = field(default_factory=list)  # finished sends: click -> finished
    # The same sends' waits, clicked once every "Send all" had been answered (the pages no
    # longer busy staging twenty runs): what a quiet Send meets while the bulk runs go on.
    quiet_waits_steady: list[float] = field(default_factory=list)
    quiet_queued: list[float] = field(default_factory=list)  # row recorded -> worker started
    quiet_running: list[float] = field(default_factory=list)  # worker started -> finished
    quiet_unfinished: list[float] = field(default_factory=list)  # waited so far, at the end
    quiet_failed: int = 0
    quiet_done_in_window: int = 0
    click_answer_s: list[float] = field(default_factory=list)
    bulk_request_s: list[float] = field(default_factory=list)
    bulk_done: list[int] = field(default_factory=list)  # per bulk org, done in the window
    bulk_failed: int = 0
    calls: int = 0
    rate_limited: int = 0
    worker_cpu_s: float = 0.0
    redis_cmds: int = 0
    machine_busy: float = 0.0  # share of all cores busy in the window
    # Cores each part kept busy in the window: the sandbox stands in for Xero's servers,
    # which are not on this machine, and serves every call from one Python process.
    parts_cores: dict[str, float] = field(default_factory=dict)
    worker_memory_mib: float = 0.0  # the workers' PSS at the end of the window
    window: float = 0.0
    wall_s: float = 0.0

    # -- figures ------------------------------------------------------------------------------
    @property
    def latencies(self) -> list[float]:
        return sorted(self.quiet_waits + self.quiet_unfinished)

    def quiet_p(self, share: float) -> float:
        values = self.latencies
        return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")

    @property
    def bound_note(self) -> str:
        return " (lower bound: sends unfinished)" if self.quiet_unfinished else ""

    @property
    def shares(self) -> list[float]:
        ceiling = CEILING * self.window / 60.0
        return [done / ceiling for done in self.bulk_done]

    @property
    def records(self) -> int:
        return sum(self.bulk_done) + self.quiet_done_in_window

    @property
    def per_minute(self) -> float:
        return self.records * 60.0 / self.window if self.window else 0.0

    @property
    def cpu_per_1000(self) -> float:
        return 1000 * self.worker_cpu_s / self.records if self.records else float("nan")

    @property
    def redis_per_record(self) -> float:
        return self.redis_cmds / self.records if self.records else float("nan")

    def pairs(self, prefix: str) -> list[str]:
        shares = self.shares or [float("nan")]
        return [f"{prefix}quiet_send_p50_s={self.quiet_p(0.5):.2f}",
                f"{prefix}quiet_send_p95_s={self.quiet_p(0.95):.2f}",
                f"{prefix}quiet_unfinished={len(self.quiet_unfinished)}",
                f"{prefix}bulk_share_min={min(shares):.3f}", f"{prefix}bulk_share_max={max(shares):.3f}",
                f"{prefix}bulk_share_spread={max(shares) - min(shares):.3f}",
                f"{prefix}total_per_min={self.per_minute:.0f}", f"{prefix}429s={self.rate_limited}",
                f"{prefix}worker_cpu_s_per_1000={self.cpu_per_1000:.1f}",
                f"{prefix}redis_cmds_per_record={self.redis_per_record:.2f}",
                f"{prefix}machine_busy={self.machine_busy:.2f}",
                f"{prefix}worker_memory_mib={self.worker_memory_mib:.0f}"]


# -- set-up ---------------------------------------------------------------------------------------

def new_org(stack: BenchStack, name: str) -> str:
    return sandbox_call(stack.sandbox_url, "POST", "/_sandbox/orgs",
                        {"name": name, "country": "NZ", "base_currency": "NZD"})["tenant_id"]


def join(stack: BenchStack, email: str, workspace: str, tenant: str) -> Person:
    """A person who signs up a workspace of their own and connects it to ``tenant``."""
    person = Person(stack.web_url, email)
    person.sign_up(workspace)
    person.connect_xero(tenant)
    return person


def wait_idle(stack: BenchStack, timeout: float = IDLE_TIMEOUT_S) -> None:
    """Until no RQ queue holds a job and no worker is busy for a second (scheduled jobs,
    such as periodic polling, may stay: they are part of the load)."""
    client = stack.redis()
    deadline, idle_since = time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline:
            queued = sum(client.llen(key) for key in client.smembers("rq:queues"))
            if queued or stack.busy_workers():
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= 1.0:
                return
            time.sleep(0.2)
    finally:
        client.close()
    raise RuntimeError(f"the workers were still busy after {timeout:.0f}s of set-up")


# -- measuring ------------------------------------------------------------------------------------

@dataclass
class Snapshot:
    stats: dict[str, int]
    worker_cpu: float
    redis_cmds: int
    cpu_busy: float
    cpu_total: float
    parts_cpu: dict[str, float]  # CPU seconds so far of the stack's sandbox, web, Redis

    @classmethod
    def take(cls, stack: BenchStack) -> Snapshot:
        client = stack.redis()
        try:
            commands = int(client.info("stats")["total_commands_processed"])
        finally:
            client.close()
        busy, total = machine_cpu()
        return cls(totals(stack), stack.cpu_seconds("worker-"), commands, busy, total,
                   parts_cpu(stack))


def parts_cpu(stack: BenchStack) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack but the workers (the machine's
    PostgreSQL is shared with other processes and left out)."""
    used = {part: stack.cpu_seconds(part) for part in ("sandbox", "web")}
    used["redis"] = stack.redis_cpu_seconds()
    return used


def workers_memory_mib(stack: BenchStack) -> float:
    """Proportional set size (shared pages split between the processes sharing them) of the
    worker processes and their children (work horses, RQ's scheduler), in MiB."""
    from bench.stack import descendants

    total_kib = 0
    for name in stack.live_workers():
        for pid in [stack.processes[name].pid, *descendants(stack.processes[name].pid)]:
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            total_kib += sum(int(line.split()[1]) for line in rollup.splitlines()
                             if line.startswith("Pss:"))
    return total_kib / 1024


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return float(sum(fields) - idle), float(sum(fields))


def epoch(value) -> float | None:
    """A finished_at read with plain SQL: a string on SQLite, a datetime on PostgreSQL;
    naive UTC either way (the app's UTCDateTime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc).timestamp()


def push_rows(app, workspace_ids: list[int]) -> list[tuple[int, int, str, float | None, bool]]:
    """(workspace_id, record_id, status, finished epoch, is bulk) of the clients' push rows."""
    import sqlalchemy as sa

    from xeroapp.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.text(
            "SELECT workspace_id, record_id, status, finished_at, bulk_push_id FROM push_jobs "
            "WHERE record_kind = 'client' AND workspace_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)), {"ids": workspace_ids}).all()
        db.session.remove()
    return [(w, r, s, epoch(f), b is not None) for w, r, s, f, b in rows]


def quiet_person(person: Person, record_ids: list[int], clicks: list[float], start: float,
                 end: float, clicked: dict[int, float], answers: list[float]) -> None:
    """Send one new client at each click time; a click the server delays past ``end`` is
    not made. A click the server does not answer in the client's timeout stays counted: its
    push row, if the server got to it, says when it finished; else it counts as unfinished."""
    import httpx

    for record_id, offset in zip(record_ids, clicks):
        time.sleep(max(0.0, start + offset - time.time()))
        at = time.time()
        if at >= end:
            return
        clicked[record_id] = at
        try:
            person.send("client", record_id)
        except httpx.TimeoutException:
            print(f"note: a quiet Send did not answer in {time.time() - at:.0f}s", flush=True)
        answers.append(time.time() - at)


def bulk_person(person: Person, start: float, answers: list[float]) -> None:
    """Press "Send all"; a page that does not answer within the client's timeout counts
    with that time (the run may still have started: its rows say)."""
    import httpx

    time.sleep(max(0.0, start - time.time()))
    at = time.time()
    try:
        if not person.bulk_send("clients"):
            raise RuntimeError("this app has no bulk send")
    except httpx.TimeoutException:
        print(f"note: a 'Send all' did not answer in {time.time() - at:.0f}s", flush=True)
    answers.append(time.time() - at)


def measure(run: Run, load: Load, stack: BenchStack, app, bulk: list[tuple[Person, int]],
            quiet: list[tuple[Person, int, list[int]]]) -> None:
    clicked: list[dict[int, float]] = [{} for _ in quiet]
    before = Snapshot.take(stack)
    start = time.time() + 0.5  # every thread is waiting by then
    end = start + load.window
    with ThreadPoolExecutor(max_workers=len(bulk) + len(quiet)) as pool:
        futures = [pool.submit(bulk_person, person, start, run.bulk_request_s)
                   for person, _ in bulk]
        futures += [pool.submit(quiet_person, person, records, load.clicks[n], start, end,
                                clicked[n], run.click_answer_s)
                    for n, (person, _, records) in enumerate(quiet)]
        time.sleep(max(0.0, end - time.time()))
        after = Snapshot.take(stack)
        run.worker_memory_mib = workers_memory_mib(stack)
        for future in futures:
            future.result()  # raises what a person met
    run.window = load.window
    run.calls = after.stats.get("calls", 0) - before.stats.get("calls", 0)
    run.rate_limited = after.stats.get("rate_limited", 0) - before.stats.get("rate_limited", 0)
    run.worker_cpu_s = after.worker_cpu - before.worker_cpu
    run.redis_cmds = after.redis_cmds - before.redis_cmds
    run.machine_busy = ((after.cpu_busy - before.cpu_busy)
                        / max(1.0, after.cpu_total - before.cpu_total))
    run.parts_cores = {part: (after.parts_cpu[part] - before.parts_cpu[part]) / load.window
                       for part in after.parts_cpu}
    run.parts_cores["workers"] = run.worker_cpu_s / load.window

    bulk_ids = [workspace_id for _, workspace_id in bulk]
    done_by_org = dict.fromkeys(bulk_ids, 0)
    for workspace_id, _, status, finished, _ in push_rows(app, bulk_ids):
        if finished is not None and finished <= end:
            if status == "done":
                done_by_org[workspace_id] += 1
            else:
                run.bulk_failed += 1
    run.bulk_done = [done_by_org[w] for w in bulk_ids]
    staged = start + max(run.bulk_request_s or [0.0])
    wait_for_quiet(run, app, [w for _, w, _ in quiet], clicked, end, end + load.grace, staged)
    run.quiet_queued, run.quiet_running = quiet_phases(app, [w for _, w, _ in quiet])


def quiet_phases(app, workspace_ids: list[int]) -> tuple[list[float], list[float]]:
    """For the quiet workspaces' finished pushes: (recorded -> a worker started it, started
    -> finished), seconds: where a Send's time goes, the queue or the calls."""
    import sqlalchemy as sa

    from xeroapp.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.text(
            "SELECT created_at, started_at, finished_at FROM push_jobs WHERE record_kind = "
            "'client' AND finished_at IS NOT NULL AND started_at IS NOT NULL AND workspace_id "
            "IN :ids").bindparams(sa.bindparam("ids", expanding=True)), {"ids": workspace_ids}).all()
        db.session.remove()
    queued = [epoch(started) - epoch(created) for created, started, _ in rows]
    running = [epoch(finished) - epoch(started) for _, started, finished in rows]
    return queued, running


def wait_for_quiet(run: Run, app, workspace_ids: list[int], clicked: list[dict[int, float]],
                   end: float, grace_end: float, staged: float) -> None:
    """Until every send clicked in the window has finished, or the grace is over."""
    wanted = {(w, r): at for w, mine in zip(workspace_ids, clicked) for r, at in mine.items()}
    while True:
        finished = {(w, r): (status, at) for w, r, status, at, _ in push_rows(app, workspace_ids)
                    if at is not None and (w, r) in wanted}
        if len(finished) == len(wanted) or time.time() >= grace_end:
            break
        time.sleep(POLL_S)
    now = time.time()
    for key, clicked_at in wanted.items():
        if key in finished:
            status, at = finished[key]
            run.quiet_waits.append(at - clicked_at)
            if clicked_at >= staged:
                run.quiet_waits_steady.append(at - clicked_at)
            run.quiet_failed += status != "done"
            run.quiet_done_in_window += status == "done" and at <= end
        else:
            run.quiet_unfinished.append(now - clicked_at)


# -- one run --------------------------------------------------------------------------------------

def run_once(name: str, load: Load, app_root: Path | None, workers: int, threads: int,
             postgres: str | None, keep: bool) -> Run:
    from xeroapp import create_app

    run, began = Run(name, threads, workers), time.monotonic()
    worker_args = ["--threads", str(threads)] if threads > 1 else []
    with workdir(f"bench-tenants-{name}-", keep=keep) as tmp, \
            scratch_database(postgres) as database_url:
        stack = BenchStack(Path(tmp), time_scale=1.0, database_url=database_url, app_root=app_root)
        # Every person signs up from this one address: lift the per-address sign-up limit.
        stack.env["SIGNUP_IP_LIMIT"] = str(load.orgs + load.quiet + 1)
        people: list[Person] = []
        app = None
        try:
            lap = time.monotonic()
            stack.start(workers, worker_args)
            app = create_app(app_settings(stack))
            run.set_up["stack_s"], lap = time.monotonic() - lap, time.monotonic()
            bulk_tenants = [new_org(stack, f"Bulk Org {n:02d}") for n in range(1, load.orgs + 1)]
            quiet_tenants = [new_org(stack, f"Quiet Org {n:02d}") for n in range(1, load.quiet + 1)]
            run.set_up["orgs_s"], lap = time.monotonic() - lap, time.monotonic()
            joining = ([(f"bulk-{n}@bench.example", f"Bulk {n:02d}", t)
                        for n, t in enumerate(bulk_tenants, start=1)]
                       + [(f"quiet-{n}@bench.example", f"Quiet {n:02d}", t)
                          for n, t in enumerate(quiet_tenants, start=1)])
            with ThreadPoolExecutor(max_workers=SET_UP_PARALLEL) as pool:
                people = list(pool.map(lambda j: join(stack, *j), joining))
            run.set_up["sign_up_connect_s"], lap = time.monotonic() - lap, time.monotonic()
            with app.app_context():
                ids = [workspace_id_of(p.email) for p in people]
                for n, workspace_id in enumerate(ids[:load.orgs], start=1):
                    insert_clients(workspace_id, load.bulk_clients, f"Bulk {n:02d} Client")
                quiet_records = [insert_clients(w, len(load.clicks[n]), f"Quiet {n + 1:02d} Client")
                                 for n, w in enumerate(ids[load.orgs:])]
                _close_session()
            run.set_up["clients_s"], lap = time.monotonic() - lap, time.monotonic()
            wait_idle(stack)
            run.set_up["connect_reads_s"] = time.monotonic() - lap
            sandbox_call(stack.sandbox_url, "POST", "/_sandbox/faults", {"latency": load.latency})
            bulk = list(zip(people[:load.orgs], ids[:load.orgs]))
            quiet = [(p, w, records) for p, w, records in
                     zip(people[load.orgs:], ids[load.orgs:], quiet_records)]
            measure(run, load, stack, app, bulk, quiet)
        finally:
            for person in people:
                person.close()
            if app is not None:
                _close(app)
            stop = time.monotonic()
            stack.stop()
            run.set_up["stop_s"] = time.monotonic() - stop
    run.wall_s = time.monotonic() - began
    return run


def _close_session() -> None:
    from xeroapp.extensions import db

    db.session.remove()


def postgres_answers(url: str) -> bool:
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


# -- report ---------------------------------------------------------------------------------------

HEADER = (f"{'run':<9} {'sends':>5} {'unfin':>5} {'p50_s':>6} {'p95_s':>6} {'share_min':>9} "
          f"{'share_max':>9} {'spread':>6} {'per_min':>7} {'calls':>6} {'429s':>5} "
          f"{'cpu_s/1000':>10} {'redis/rec':>9} {'busy':>5}")


def line(run: Run) -> str:
    shares = run.shares or [float("nan")]
    return (f"{run.name:<9} {len(run.latencies):>5} {len(run.quiet_unfinished):>5} "
            f"{run.quiet_p(0.5):>6.2f} {run.quiet_p(0.95):>6.2f} {min(shares):>9.3f} "
            f"{max(shares):>9.3f} {max(shares) - min(shares):>6.3f} {run.per_minute:>7.0f} "
            f"{run.calls:>6} {run.rate_limited:>5} {run.cpu_per_1000:>10.1f} "
            f"{run.redis_per_record:>9.2f} {run.machine_busy:>5.2f}")


def details(run: Run, load: Load) -> list[str]:
    """Set-up timings, request times and what bounds the throughput, for one run."""
    set_up = " ".join(f"{k}={v:.1f}" for k, v in run.set_up.items())
    answers = sorted(run.click_answer_s) or [float("nan")]
    worker_bound = run.workers * run.threads * RECORDS_PER_CALL * 60.0 / load.latency
    xero_bound = load.orgs * CEILING
    machine_bound = run.per_minute / run.machine_busy if run.machine_busy else float("nan")
    # Each quiet Send keeps a worker for (its calls x latency): the worker-seconds a second
    # the quiet workspaces alone ask for (bulk calls are one per 50 records).
    sends = len(run.quiet_waits)
    quiet_calls = max(0.0, run.calls - sum(run.bulk_done) / RECORDS_PER_CALL)
    clicks_per_s = len(run.latencies) / load.window
    quiet_demand = clicks_per_s * (quiet_calls / sends if sends else float("nan")) * load.latency
    slots = run.workers * run.threads
    binds = ("the machine (CPU busy {:.0%})".format(run.machine_busy) if run.machine_busy >= 0.85
             else "the workers: the quiet Sends alone ask for more than there are"
             if quiet_demand >= slots
             else "the workers" if run.per_minute >= 0.85 * worker_bound else "neither clearly")
    return [f"{run.name}: set-up {set_up} wall={run.wall_s:.0f}s",
            f"{run.name}: Send answered p50={statistics.median(answers):.2f}s "
            f"max={answers[-1]:.2f}s; 'Send all' answered in max "
            f"{max(run.bulk_request_s or [float('nan')]):.1f}s; per bulk org done: "
            f"{sorted(run.bulk_done)}; bulk failed={run.bulk_failed} quiet failed={run.quiet_failed}",
            f"{run.name}: bounds per minute: workers {worker_bound:.0f} ({run.workers} x "
            f"{run.threads} x {RECORDS_PER_CALL} records per {load.latency:g}s call), Xero "
            f"{xero_bound} ({load.orgs} x {CEILING}), this machine ~{machine_bound:.0f} "
            f"(done / CPU busy share, at this run's mix of single and batched pushes); "
            f"binding: {binds}; Redis {run.redis_cmds / load.window:.0f} commands/s",
            f"{run.name}: cores busy in the window: " + " ".join(
                f"{part}={cores:.2f}" for part, cores in run.parts_cores.items()),
            f"{run.name}: quiet Sends clicked after every 'Send all' was answered: "
            f"{len(run.quiet_waits_steady)}, p50={_p(run.quiet_waits_steady, 0.5):.2f}s "
            f"p95={_p(run.quiet_waits_steady, 0.95):.2f}s; every quiet Send's time on the "
            f"queue p50={_p(run.quiet_queued, 0.5):.2f}s p95={_p(run.quiet_queued, 0.95):.2f}s, "
            f"in its worker p50={_p(run.quiet_running, 0.5):.2f}s "
            f"p95={_p(run.quiet_running, 0.95):.2f}s",
            f"{run.name}: quiet Sends alone keep ~{quiet_demand:.1f} of {slots} "
            f"workers busy ({clicks_per_s:.2f} clicks/s x ~{quiet_calls / max(1, sends):.1f} "
            f"calls x {load.latency:g}s; calls not in bulk batches, estimated)"]


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=20, help="organisations pushing in bulk")
    parser.add_argument("--quiet", type=int, default=10, help="quiet workspaces clicking Send")
    parser.add_argument("--latency", type=float, default=1.0, help="sandbox seconds per API call")
    parser.add_argument("--window", type=float, default=120.0, help="seconds measured")
    parser.add_argument("--interval", type=float, default=3.0,
                        help="seconds between a quiet person's Sends (x 0.5 .. 1.5)")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="seconds after the window for the quiet sends to finish")
    parser.add_argument("--bulk-clients", type=int, default=7000,
                        help="clients per bulk org (more than its ceiling sends in the window, so "
                             "that none runs out before the window ends)")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--threads", type=int, default=12,
                        help="`flask rq-worker --threads N` for this tree's run (when > 1)")
    parser.add_argument("--baseline-workers", type=int, default=None,
                        help="the baseline's forking workers (default 8: 24, as many jobs at "
                             "once as this tree's run, overloads 2 cores until pages time out)")
    parser.add_argument("--baseline-rev", default="0fc64a2",
                        help="git revision of the baseline app ('none': no baseline)")
    parser.add_argument("--seed", type=int, default=7, help="of the quiet clicks' schedule")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES,
                        help="the PostgreSQL server of each run's scratch database ('none': a "
                             "SQLite file, which refuses the simultaneous bulk sends)")
    parser.add_argument("--keep", action="store_true", help="keep the stacks' logs")
    args = parser.parse_args(argv)
    if args.postgres.lower() == "none":
        args.postgres = None
    elif not postgres_answers(args.postgres):
        parser.error(f"no PostgreSQL answers at {args.postgres}: give --postgres URL of one "
                     "(or --postgres none for SQLite, with a few --orgs only)")
    load = Load.draw(args)
    baseline_rev = None if args.baseline_rev.lower() == "none" else args.baseline_rev
    began = time.monotonic()
    print(f"bench/tenants.py: orgs={load.orgs} quiet={load.quiet} latency={load.latency:g}s "
          f"window={load.window:g}s interval={args.interval:g}s grace={load.grace:g}s "
          f"bulk_clients={load.bulk_clients} workers={load.workers} threads={args.threads} "
          f"baseline_rev={baseline_rev} limits=on time_scale=1 "
          f"database={'postgresql' if args.postgres else 'sqlite'} {machine()}", flush=True)
    runs = [run_once("new", load, None, args.workers, args.threads, args.postgres, args.keep)]
    for text in details(runs[0], load):
        print(text, flush=True)
    if baseline_rev:
        with source_tree(baseline_rev) as tree:
            baseline_workers = args.baseline_workers or 8
            runs.append(run_once("baseline", load, tree, baseline_workers, 1, args.postgres,
                                 args.keep))
        for text in details(runs[1], load):
            print(text, flush=True)
    print(HEADER)
    for run in runs:
        print(line(run))
    print(f"sends: quiet Sends clicked in the window; p50/p95: click -> push row finished "
          f"(unfin > 0: still unfinished {load.grace:g}s after the window, counted with their "
          f"wait so far: a lower bound); share: a bulk org's records done in the window / "
          f"{CEILING * load.window / 60:.0f} (Xero's ceiling for it); per_min: bulk + quiet "
          f"records done per minute; busy: share of the machine's CPU used in the window.")
    wall = time.monotonic() - began
    print(f"wall time {wall:.0f}s")
    pairs = [f"orgs={load.orgs}", f"quiet={load.quiet}", f"latency_s={load.latency:g}",
             f"window_s={load.window:g}", f"workers={load.workers}", f"threads={args.threads}",
             *runs[0].pairs("")]
    if len(runs) > 1:
        pairs += [f"baseline_rev={baseline_rev}", f"baseline_workers={runs[1].workers}",
                  *runs[1].pairs("baseline_")]
    pairs += [f"wall_s={wall:.0f}", machine()]
    print(" ".join(pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
