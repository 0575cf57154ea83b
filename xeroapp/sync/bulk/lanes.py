"""Each organisation's bulk work is a lane: a few jobs on the bulk queue that take turns with
every other organisation's, however big its runs are.

Starting a run stages its rows (``queued``) and wakes the organisation's lane: at most
BULK_LANE_WIDTH lane jobs on ``xero-bulk``. A lane job sends one batch and hands over to a
successor at the back of the queue (sync/bulk/lane_job.py), so organisations take turns
batch by batch, and twenty organisations with 120 batches each keep 20 × width jobs on the
queue, not 2,400. A person's Send, on the ``xero`` queue that workers take first, never
waits behind more than the batches being sent at that moment.

A lane job asks the budget before it touches a row (xero.budget.Budget.opens_in). When the
organisation cannot call yet, the lane *holds*: one job of it is scheduled for the moment
its window opens, its other jobs end, and its rows stay as they are. Waiting therefore costs
one scheduled job per organisation, not a claim, a write and a reschedule per batch every
Xero minute. When the held job runs it widens the lane again.

Which of an organisation's lane jobs exist is a Redis set of their ids, so that waking a lane
never adds more than the width; a job that died with its worker stays in the set until the
sweeper (sync/sweeper.py) compares the set with what RQ holds and revives the lane.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import current_app
from redis.exceptions import RedisError
from rq.job import Job

from xeroapp.queue import get_queue, get_redis, whole_second_after

log = logging.getLogger(__name__)

# Bulk work waits on a queue of its own, which workers take only when no person's push is
# queued (RQ_QUEUES lists it after "xero").
BULK_QUEUE = "xero-bulk"
LANE_FUNCTION = "xeroapp.sync.bulk.lane_job.run_lane"
JOB_PREFIX = "lane-"
KEY_PREFIX = "xeroapp:lane"
# Where a running lane job names the rows of the batch it sends (RQ job meta): the sweeper
# leaves those rows to it.
BATCH_META = "rows"
# The held mark outlives the moment its job was scheduled for by this much: if that job is
# lost (Redis restarted), the mark lapses and the lane can hold again.
HELD_GRACE_SECONDS = 60

# KEYS: the lane's job set. ARGV: width, then candidate job ids.
# Adds candidates until the set holds ``width`` ids; returns those added.
_JOIN = """
local n = redis.call('SCARD', KEYS[1])
local width = tonumber(ARGV[1])
local added = {}
for i = 2, #ARGV do
  if n >= width then break end
  redis.call('SADD', KEYS[1], ARGV[i])
  n = n + 1
  added[#added + 1] = ARGV[i]
end
return added
"""

# KEYS: the held mark. ARGV: a job id. Clears the mark if that job set it; 1 if it did.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def width() -> int:
    return int(current_app.config["BULK_LANE_WIDTH"])


# -- names --------------------------------------------------------------------------------

def _jobs_key(tenant_id: str) -> str:
    # The {tenant} hash tag keeps a lane's keys in one slot on a Redis Cluster.
    return f"{KEY_PREFIX}:{{{tenant_id}}}:jobs"


def _held_key(tenant_id: str) -> str:
    return f"{KEY_PREFIX}:{{{tenant_id}}}:held"


def _new_job_ids(tenant_id: str, count: int) -> list[str]:
    """Never reused: RQ would overwrite a finished job's record with a new job of its name
    (and a job may only enqueue its successor while it still runs)."""
    last = int(get_redis().incrby(f"{KEY_PREFIX}:ids", count))
    return [f"{JOB_PREFIX}{tenant_id}-{n}" for n in range(last - count + 1, last + 1)]


def tenant_of(job_id: str) -> str | None:
    """The organisation of a lane job id (``lane-<tenant>-<n>``); None for other jobs."""
    if not job_id.startswith(JOB_PREFIX) or "-" not in job_id[len(JOB_PREFIX):]:
        return None
    return job_id[len(JOB_PREFIX):].rsplit("-", 1)[0]


# -- waking, handing over, holding, leaving ---------------------------------------------------

def wake(tenant_id: str) -> int:
    """Fill the organisation's lane up to its width with jobs on the bulk queue; how many
    were added. Called after the commit that staged the rows. If Redis is down the rows
    stay ``queued`` and the sweeper wakes the lane later."""
    try:
        redis = get_redis()
        joined = redis.register_script(_JOIN)(
            keys=[_jobs_key(tenant_id)], args=[width(), *_new_job_ids(tenant_id, width())])
        queue = get_queue(BULK_QUEUE)
        for job_id in joined:
            queue.enqueue(LANE_FUNCTION, tenant_id, job_id=_text(job_id), result_ttl=0)
    except RedisError:
        log.warning("bulk lane of %s: not woken (Redis unavailable); the sweeper will", tenant_id)
        return 0
    return len(joined)


def hand_over(tenant_id: str, job_id: str | None) -> None:
    """This job is done with its batch and there is more: its successor goes to the back
    of the bulk queue, behind the other organisations' jobs."""
    successor = _new_job_ids(tenant_id, 1)[0]
    _swap(tenant_id, job_id, successor)
    get_queue(BULK_QUEUE).enqueue(LANE_FUNCTION, tenant_id, job_id=successor, result_ttl=0)


def hold(tenant_id: str, job_id: str | None, until: datetime) -> bool:
    """The organisation cannot send before ``until``: one job of its lane is scheduled for
    then and the others end. True if this job's successor is the one scheduled."""
    at = whole_second_after(until)  # RQ's scheduler files jobs by whole seconds
    successor = _new_job_ids(tenant_id, 1)[0]
    lapse_ms = int((at - datetime.now(timezone.utc)).total_seconds() * 1000) + HELD_GRACE_SECONDS * 1000
    redis = get_redis()
    if not redis.set(_held_key(tenant_id), successor, nx=True, px=max(lapse_ms, 1000)):
        leave(tenant_id, job_id)  # another job of the lane already waits for the window
        return False
    _swap(tenant_id, job_id, successor)
    get_queue(BULK_QUEUE).enqueue_at(at, LANE_FUNCTION, tenant_id, job_id=successor, result_ttl=0)
    return True


def released(tenant_id: str, job_id: str | None) -> bool:
    """Called by a lane job as it starts: True if it is the job the lane held for (the lane
    then widens again)."""
    if job_id is None:
        return False
    return bool(get_redis().register_script(_RELEASE)(keys=[_held_key(tenant_id)], args=[job_id]))


def leave(tenant_id: str, job_id: str | None) -> int:
    """This job ends without a successor; how many jobs the lane still has."""
    redis = get_redis()
    if job_id is not None:
        redis.srem(_jobs_key(tenant_id), job_id)
    return int(redis.scard(_jobs_key(tenant_id)))


def _swap(tenant_id: str, old: str | None, new: str) -> None:
    pipe = get_redis().pipeline(transaction=True)
    if old is not None:
        pipe.srem(_jobs_key(tenant_id), old)
    pipe.sadd(_jobs_key(tenant_id), new)
    pipe.execute()


# -- what the sweeper and the progress bar ask ------------------------------------------------

def live_tenants(job_ids: list[str]) -> set[str]:
    """Organisations with a lane job among ``job_ids`` (what RQ holds: queued, scheduled or
    being run by a live worker)."""
    return {tenant for tenant in map(tenant_of, job_ids) if tenant is not None}


def revive(tenant_id: str, live_job_ids: set[str]) -> int:
    """Forget the lane's jobs RQ no longer holds (their worker died, Redis lost them), then
    wake it; how many jobs were added."""
    redis = get_redis()
    members = {_text(m) for m in redis.smembers(_jobs_key(tenant_id))}
    dead = members - live_job_ids
    if dead:
        redis.srem(_jobs_key(tenant_id), *dead)
    held = redis.get(_held_key(tenant_id))
    if held is not None and _text(held) not in live_job_ids:
        redis.delete(_held_key(tenant_id))
    return wake(tenant_id)


def held_until(tenant_id: str) -> datetime | None:
    """When the organisation's held lane resumes (None if it is not holding); for the
    progress bar's "resumes at"."""
    try:
        redis = get_redis()
        job_id = redis.get(_held_key(tenant_id))
        if job_id is None:
            return None
        job = Job.fetch(_text(job_id), connection=redis)
        scheduled = get_queue(BULK_QUEUE).scheduled_job_registry.get_scheduled_time(job)
    except Exception:  # noqa: BLE001 - only a hint for the page: a job gone, Redis down
        return None
    return scheduled.replace(tzinfo=timezone.utc) if scheduled.tzinfo is None else scheduled


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
