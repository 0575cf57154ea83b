"""Health checks for load balancers and monitors: no login, JSON, 200 healthy / 503 not.

``/healthz`` answers for this web process: can it reach the database and Redis? ``/healthz/workers``
answers for the background side: is any RQ worker alive, does each queue have a scheduler (RQ
runs retries and delayed pushes from it), and are jobs being picked up in time?

Both are cheap (a handful of O(1) Redis commands and ``SELECT 1``) so they can be polled every
few seconds. Bodies carry plain reasons, never exception text: it could name internal hosts.
The workers' details (queue depths, failures, reasons) are for monitoring only: a caller with
HEALTH_TOKEN or from HEALTH_TRUSTED_NETWORKS gets them, anyone else the status alone.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from typing import Any

import redis
import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.utils import str_to_date
from rq.worker_registration import get_keys

from xeroapp.access import public
from xeroapp.extensions import db
from xeroapp.queue import queue_names

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

_CLIENT_KEY = "xeroapp.health_redis"
# A dead Redis must not hold the check (nor the gunicorn thread) for long: short timeouts and
# no retries (redis-py retries a failed connection three times by default).
REDIS_TIMEOUT_SECONDS = 1.0


@bp.get("/healthz")
@public
def healthz() -> Response:
    checks = {"database": _database_check(), "redis": _redis_check()}
    healthy = all(value == "ok" for value in checks.values())
    return _answer(healthy, {"checks": checks})


@bp.get("/healthz/workers")
@public
def workers() -> Response:
    try:
        report = _workers_report(_health_redis())
    except (redis.RedisError, OSError) as error:
        log.warning("health: Redis unreachable for the worker check: %s", error)
        report = {"reasons": ["redis unreachable"]}
    return _answer(not report["reasons"], report if may_see_details() else {})


def may_see_details() -> bool:
    """The caller sent HEALTH_TOKEN, or calls from a network in HEALTH_TRUSTED_NETWORKS."""
    return _token_presented() or _from_trusted_network()


def _token_presented() -> bool:
    """The header is preferred (a query string lands in access logs); ?token= is for monitors
    that cannot set one. Compared in constant time, so timing tells nothing about the token."""
    expected = current_app.config.get("HEALTH_TOKEN")
    if not expected:
        return False
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    presented = credentials.strip() if scheme.lower() == "bearer" else request.args.get("token")
    return hmac.compare_digest((presented or "").encode(), expected.encode())


def _from_trusted_network() -> bool:
    """request.remote_addr is the client's address: ProxyFix, when proxies are trusted,
    has already taken it from the proxy's X-Forwarded-For."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:  # a Unix socket, or no address at all
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack listener
    return any(address in network for network in current_app.config["HEALTH_TRUSTED_NETWORKS"])


def _answer(healthy: bool, body: dict[str, Any]) -> Response:
    response = jsonify({"status": "ok" if healthy else "unavailable", **body})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_check() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        log.warning("health: database unreachable: %s", error)
        db.session.rollback()
        return "unreachable"
    return "ok"


def _redis_check() -> str:
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    try:
        _health_redis().ping()
    except (redis.RedisError, OSError) as error:
        log.warning("health: Redis unreachable: %s", error)
        return "unreachable"
    return "ok"


def _health_redis() -> redis.Redis:
    """A client with short timeouts, apart from the app's (which waits as long as a job needs)."""
    client = current_app.extensions.get(_CLIENT_KEY)
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            raise redis.ConnectionError("REDIS_URL is not set")
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), retries=0),
        )
        current_app.extensions[_CLIENT_KEY] = client
    return client


def _workers_report(connection: redis.Redis) -> dict[str, Any]:
    max_wait = current_app.config["HEALTH_MAX_QUEUE_WAIT"]
    live = live_workers(connection)
    queues = {name: queue_report(Queue(name, connection=connection)) for name in queue_names()}
    reasons = [] if live else ["no live worker"]
    for name, queue in queues.items():
        if not queue["scheduler"]:
            reasons.append(f"queue {name}: no scheduler (start a worker with --with-scheduler)")
        wait = queue["oldest_queued_seconds"]
        if wait is not None and wait > max_wait:
            reasons.append(f"queue {name}: oldest job has waited {wait} s (limit {max_wait} s)")
    return {"workers": live, "queues": queues, "reasons": reasons}


def live_workers(connection: redis.Redis) -> int:
    """Registered workers whose key still exists.

    A worker refreshes its key's expiry on every heartbeat; one killed with SIGKILL stays in
    RQ's registry set until somebody cleans it, but its key expires, so it is not counted.
    """
    keys = sorted(get_keys(connection=connection))
    if not keys:
        return 0
    return int(connection.exists(*keys))


def queue_report(queue: Queue) -> dict[str, Any]:
    connection = queue.connection
    return {
        "queued": queue.count,
        "started": StartedJobRegistry(queue=queue).get_job_count(cleanup=False),
        "scheduled": ScheduledJobRegistry(queue=queue).get_job_count(cleanup=False),
        "failed": FailedJobRegistry(queue=queue).get_job_count(cleanup=False),
        "oldest_queued_seconds": _oldest_wait(queue),
        "scheduler": bool(connection.exists(RQScheduler.get_locking_key(queue.name))),
    }


def _oldest_wait(queue: Queue) -> int | None:
    """Seconds the job at the head of the queue has waited (RQ's queues are FIFO lists).

    Reads one field of the job's hash rather than loading the job: no unpickling of arguments.
    """
    job_ids = queue.get_job_ids(0, 1)
    if not job_ids:
        return None
    enqueued_at = queue.connection.hget(Job.key_for(job_ids[0]), "enqueued_at")
    if not enqueued_at:
        return None  # deleted or being enqueued this very moment
    return max(0, int(time.time() - str_to_date(enqueued_at).timestamp()))
