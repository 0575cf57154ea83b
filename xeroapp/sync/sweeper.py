"""The sweeper: puts back on RQ every pending push that RQ does not hold.

The PushJob row is the truth and RQ only the transport, so a push can be pending in the
database with nothing in Redis to run it:

- ``queued`` rows whose enqueue failed (Redis down at click time) or whose job Redis lost
  (a restart without persistence);
- ``waiting`` rows whose rate-limit wait is over but whose scheduled retry is gone (its
  scheduling failed, or Redis lost it);
- ``running`` rows whose worker died mid-push (SIGKILL, a lost machine): RQ keeps the job in
  its started registry only until the worker's heartbeat expires, after which nobody owns it.

Each sweep reads what RQ holds (queues, scheduled, deferred, live started jobs), then moves
the orphans back to ``queued`` with a conditional UPDATE (so a row a worker changed meanwhile
is left alone) and enqueues them. A short Redis lock keeps concurrent sweeps (several
workers, the CLI) from enqueueing the same row twice; a second sweep finds the jobs held and
does nothing. A push re-run after a dead worker repeats its Idempotency-Key, so if the dead
worker's call did reach Xero, Xero replays it instead of creating a duplicate: a single push
keeps the key its row carries, and the rows of a bulk batch go back to their organisation's
lane, which sends them again as that same batch (bulk.jobs.batch_of groups the rows that
carry the same key). A bulk row whose lane is alive is waiting its turn, not lost: the
sweeper leaves it alone, and revives the lanes whose jobs RQ no longer holds.

Runs every ``SWEEP_INTERVAL`` from the worker (``flask rq-worker --with-scheduler`` starts a
self-rescheduling job) and on demand with ``flask sweep-pushes``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from redis import Redis
from redis.exceptions import LockError, RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob
from xeroapp.queue import get_queue, get_redis, queue_names
from xeroapp.sync import outbox
from xeroapp.sync.bulk import jobs as bulk_jobs
from xeroapp.sync.bulk import lanes

log = logging.getLogger(__name__)

SWEEP_FUNCTION = "xeroapp.sync.sweeper.sweep_job"
SWEEP_JOB_PREFIX = "sweep-pushes-"  # + the time it runs at (never "push-...": not a push)
SWEEP_INTERVAL = timedelta(seconds=30)
LOCK_KEY = "xeroapp:sweep-pushes:lock"
# Longer than any sweep takes; if the sweeping process dies the lock frees itself.
LOCK_TIMEOUT_SECONDS = 60
# Set while a periodic sweep is scheduled: one chain of sweep jobs, however many workers.
CHAIN_KEY = "xeroapp:sweep-pushes:scheduled"

# A row just committed is enqueued by its own request a moment later: not an orphan yet.
QUEUED_GRACE = timedelta(seconds=10)
# A row just marked running may not be in RQ's started registry yet (or its worker is only
# now finishing): only older ones whose job RQ no longer holds are a dead worker's.
RUNNING_GRACE = timedelta(seconds=60)
# Far beyond RQ's job timeout: a row running this long is dead whatever Redis says.
RUNNING_STALE = timedelta(minutes=30)

_PUSH_JOB_ID = re.compile(r"^push-(\d+)(?:[-:]|$)")


@dataclass
class SweepReport:
    """What one sweep did: ``enqueued`` every push id put on RQ, ``revived`` those of them
    that were a dead worker's ``running`` rows; ``locked_out`` when another sweep was busy."""

    enqueued: list[int] = field(default_factory=list)
    revived: list[int] = field(default_factory=list)
    locked_out: bool = False


def sweep(now: datetime | None = None) -> SweepReport:
    """Enqueue every pending push RQ does not hold. Raises RedisError if Redis is down."""
    now = now or utcnow()
    redis = get_redis()
    lock = redis.lock(LOCK_KEY, timeout=LOCK_TIMEOUT_SECONDS, blocking=False)
    if not lock.acquire(blocking=False):
        return SweepReport(locked_out=True)
    try:
        job_ids = rq_job_ids(redis, now)
        held = held_push_ids(redis, job_ids)
        in_lanes = lanes.live_tenants(job_ids)
        report = SweepReport()
        queued = _orphans_queued(now, held, in_lanes)
        waited = _requeue_waits_over(now, held, in_lanes)
        report.revived = _requeue_dead_running(now, held)
        db.session.commit()
        report.enqueued = _put_back(queued + waited + report.revived, set(job_ids))
        return report
    finally:
        try:
            lock.release()
        except LockError:  # expired meanwhile: nothing left to release
            pass


def rq_job_ids(redis: Redis, now: datetime) -> list[str]:
    """Ids of the jobs RQ holds: waiting in a queue (or just popped from it), scheduled,
    deferred, or being run by a live worker (started, heartbeat not expired at ``now``)."""
    job_ids: list[str] = []
    for name in queue_names():
        queue = Queue(name, connection=redis)
        job_ids += queue.get_job_ids()
        job_ids += queue.intermediate_queue.get_job_ids()
        job_ids += queue.scheduled_job_registry.get_job_ids()
        job_ids += queue.deferred_job_registry.get_job_ids()
        # Entries are "job_id:execution_id" scored by expiry; expired ones are abandoned.
        job_ids += [m.decode() for m in redis.zrangebyscore(queue.started_job_registry.key,
                                                            f"({now.timestamp()}", "+inf")]
    return [job_id.split(":", 1)[0] for job_id in job_ids]


def held_push_ids(redis: Redis, job_ids: list[str]) -> set[int]:
    """Ids of the pushes one of ``job_ids`` carries: a single push's job, or the batch a
    bulk job is sending."""
    held = bulk_jobs.held_row_ids(redis, job_ids)
    for job_id in job_ids:
        match = _PUSH_JOB_ID.match(job_id)
        if match:
            held.add(int(match.group(1)))
    return held


def _lane_serves(in_lanes: set[str]) -> sa.ColumnElement[bool]:
    """A bulk row whose organisation's lane is alive waits for its turn there; it is not an
    orphan however long it has been queued."""
    return sa.and_(PushJob.bulk_push_id.is_not(None), PushJob.tenant_id.in_(in_lanes))


def _orphans_queued(now: datetime, held: set[int], in_lanes: set[str]) -> list[int]:
    rows = db.session.scalars(sa.select(PushJob.id).where(
        PushJob.status == "queued", PushJob.updated_at < now - QUEUED_GRACE,
        sa.not_(_lane_serves(in_lanes))))
    return [push_id for push_id in rows if push_id not in held]


def _requeue_waits_over(now: datetime, held: set[int], in_lanes: set[str]) -> list[int]:
    """Rate-limit and back-off waits whose time has come (PushJob.is_runnable) and whose
    retry RQ lost: queued again. One still waiting for its time is left to its retry, and a
    wait for a person to reconnect has no time and is left alone."""
    rows = db.session.execute(sa.select(PushJob.id, PushJob.not_before).where(
        PushJob.status == "waiting", PushJob.is_runnable(now),
        sa.not_(_lane_serves(in_lanes)))).all()
    return [push_id for push_id, not_before in rows
            if push_id not in held and _requeue(push_id, "waiting", not_before=not_before)]


def _requeue_dead_running(now: datetime, held: set[int]) -> list[int]:
    rows = db.session.execute(sa.select(PushJob.id, PushJob.started_at).where(
        PushJob.status == "running")).all()
    revived = []
    for push_id, started_at in rows:
        started = started_at or now
        dead = ((push_id not in held and started < now - RUNNING_GRACE)
                or started < now - RUNNING_STALE)
        if dead and _requeue(push_id, "running", started_at=started_at):
            log.warning("push job %s: its worker died mid-push; queued again", push_id)
            revived.append(push_id)
    return revived


def _requeue(push_id: int, status: str, **unchanged: datetime | None) -> bool:
    """Back to ``queued`` only if the row is still as read: a worker that moved it meanwhile
    wins. True when this sweep changed it."""
    conditions = [PushJob.id == push_id, PushJob.status == status]
    conditions += [getattr(PushJob, name).is_(None) if value is None
                   else getattr(PushJob, name) == value for name, value in unchanged.items()]
    result = db.session.execute(sa.update(PushJob).where(*conditions).values(
        status="queued", not_before=None, error_message=None, error_kind=None, error_field=None,
        updated_at=utcnow()))
    return result.rowcount == 1


def sweep_job_id(push_id: int, tries: int) -> str:
    """Not ``push-<id>``: a dead worker's job of that name is still in RQ's started registry,
    and RQ's cleanup would mark any new job of the same name failed. One id per run of the
    push so far (PushJob.tries)."""
    return f"{outbox.rq_job_id(push_id)}-sweep-{tries}"


def _put_back(push_ids: list[int], live_job_ids: set[str]) -> list[int]:
    """Put the rows back on RQ; the ids that are. A row of a bulk run goes back to its
    organisation's lane (revived: a lane whose jobs died is woken again), any other to the
    queue of people's pushes."""
    rows = db.session.execute(sa.select(PushJob.id, PushJob.tenant_id, PushJob.bulk_push_id,
                                        PushJob.attempts + PushJob.rate_limit_waits)
                              .where(PushJob.id.in_(push_ids))).all()
    done: list[int] = []
    tenants: set[str] = set()
    for push_id, tenant_id, bulk_push_id, tries in sorted(rows):
        if bulk_push_id is not None and tenant_id is not None:
            tenants.add(tenant_id)
            done.append(push_id)
        elif _enqueue(push_id, tries):
            done.append(push_id)
    for tenant_id in tenants:
        lanes.revive(tenant_id, live_job_ids)
    return done


def _enqueue(push_id: int, tries: int) -> bool:
    queue = get_queue()
    job_id = sweep_job_id(push_id, tries)
    try:
        Job.fetch(job_id, connection=queue.connection).delete()  # an earlier, finished one
    except NoSuchJobError:
        pass
    try:
        queue.enqueue(outbox.PUSH_FUNCTION, push_id, job_id=job_id)
    except RedisError:
        log.warning("push job %s stays queued: Redis unavailable", push_id)
        return False
    return True


# -- periodic sweeping from the worker ---------------------------------------------------------

def sweep_job() -> int:
    """RQ job: one sweep, then the next one scheduled (even if this one failed)."""
    try:
        report = sweep()
    finally:
        _schedule_next()
    return len(report.enqueued)


def ensure_periodic_sweep() -> bool:
    """Start the chain of sweep jobs unless one is already scheduled; True if started.

    Called when a worker starts and at its maintenance ticks, so the chain comes back after
    Redis loses it (a restart). Needs a worker running RQ's scheduler.
    """
    redis = get_redis()
    if not redis.set(CHAIN_KEY, "1", nx=True, ex=_chain_ttl()):
        return False
    get_queue().enqueue(SWEEP_FUNCTION, job_id=f"{SWEEP_JOB_PREFIX}{utcnow().timestamp():.0f}",
                        result_ttl=0, failure_ttl=3600)
    return True


def _schedule_next() -> None:
    """Schedule the next sweep, unless one is already scheduled: two chains (one started
    while the scheduler was away and the chain key lapsed) merge back into one."""
    get_redis().set(CHAIN_KEY, "1", ex=_chain_ttl())
    queue = get_queue()
    if any(job_id.startswith(SWEEP_JOB_PREFIX)
           for job_id in queue.scheduled_job_registry.get_job_ids()):
        return
    run_at = utcnow() + SWEEP_INTERVAL
    queue.enqueue_at(run_at, SWEEP_FUNCTION, job_id=f"{SWEEP_JOB_PREFIX}{run_at.timestamp():.0f}",
                     result_ttl=0, failure_ttl=3600)


def _chain_ttl() -> int:
    """The chain is presumed lost if no sweep ran for three intervals."""
    return int(SWEEP_INTERVAL.total_seconds() * 3)
