"""RQ workers that run every job inside this app's application context.

Jobs take ids and load fresh rows (never pickled objects, which would be stale by the time the
job runs), so they need ``db`` bound to an app. The worker gets the app it was started from;
each job gets its own app context, hence its own database session, removed when the job ends.
The forking worker runs jobs in a work horse: the horse drops the connection pool it inherited,
so parent and child never share a socket.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from flask import Flask
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.defaults import DEFAULT_MAINTENANCE_TASK_INTERVAL
from rq.job import Job

from xeroapp.extensions import db
from xeroapp.backsync import poll
from xeroapp.queue import get_redis, queue_names
from xeroapp.sync import sweeper
from xeroapp.xero import http

log = logging.getLogger(__name__)

# How often a sweeping worker checks that the sweep chain is alive (RQ's registry cleaning
# runs at the same ticks; it is cheap and takes a lock per queue). These ticks are also when
# RQ lets a worker take over the scheduler of a dead one, and without a scheduler no retry
# or sweep runs: at 30 s a killed worker's scheduler is replaced within about 90 s (its lock
# lasts 61 s), where 120 s left the queue's retries stalled for over two minutes
# (bench/chaos.py).
SWEEP_CHECK_SECONDS = 30


class AppContextMixin:
    def __init__(self, *args: Any, app: Flask, sweep: bool = False, **kwargs: Any) -> None:
        self.app = app
        self.sweep = sweep
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        """RQ waits on an empty queue for up to worker_ttl - 15 s (~7 min) and only runs its
        maintenance between waits. Capped at the maintenance interval, so an idle worker
        still takes over the scheduler of a worker that died (retries and sweeps stall
        without one) and restarts the sweep chain on time."""
        rq_wait = super().dequeue_timeout  # type: ignore[misc]
        return max(1, min(rq_wait, int(self.maintenance_interval)))  # type: ignore[attr-defined]

    def run_maintenance_tasks(self) -> None:
        """RQ's own upkeep, and (``sweep``) making sure the periodic push sweep and the
        periodic poll of Xero (xeroapp.backsync.poll) are scheduled: at start, and again
        after Redis lost them (a restart wipes scheduled jobs)."""
        super().run_maintenance_tasks()  # type: ignore[misc]
        if self.sweep:
            with self.app.app_context():
                try:
                    sweeper.ensure_periodic_sweep()
                    poll.ensure_periodic_poll()
                except RedisError:
                    log.warning("could not schedule the push sweep: Redis unavailable")

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                # In a forked work horse: connections copied from the parent belong to it.
                db.engine.dispose(close=False)
            return super().perform_job(job, queue)  # type: ignore[misc]


class AppWorker(AppContextMixin, Worker):
    """Forks a work horse per job (production: a crashing job cannot take the worker down)."""


class AppSimpleWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in-process (tests, and platforms without fork)."""


def build_worker(app: Flask, names: list[str] | None = None, *, simple: bool = False,
                 sweep: bool = False, worker_class: type[Worker] | None = None,
                 name: str | None = None) -> Worker:
    """A worker on ``names`` (default: every queue in RQ_QUEUES) of the app's Redis; with
    ``sweep`` it keeps the periodic push sweep (xeroapp.sync.sweeper) scheduled.
    ``worker_class`` (an AppContextMixin worker) overrides ``simple``; ``name`` is RQ's
    worker name (default: a random one)."""
    with app.app_context():
        connection = get_redis()
        queues = [Queue(queue, connection=connection) for queue in (names or queue_names())]
    worker_class = worker_class or (AppSimpleWorker if simple else AppWorker)
    http.tls_context()  # built once here, inherited by every work horse (and shared by threads)
    return worker_class(queues, connection=connection, app=app, sweep=sweep, name=name,
                        maintenance_interval=SWEEP_CHECK_SECONDS if sweep else
                        DEFAULT_MAINTENANCE_TASK_INTERVAL)


def wait_for_redis(app: Flask, pause: float = 1.0, limit: float = 300.0, *,
                   stop: threading.Event | None = None) -> None:
    """Block until the app's Redis answers again (or ``stop`` is set); RedisError after
    ``limit`` seconds."""
    deadline = time.monotonic() + limit
    with app.app_context():
        while stop is None or not stop.is_set():
            try:
                get_redis().ping()
                return
            except RedisError:
                if time.monotonic() > deadline:
                    raise
                if stop is None:
                    time.sleep(pause)
                else:
                    stop.wait(pause)


def lower_priority(niceness: int) -> int:
    """Run this process (and the work horses it forks) at ``niceness`` or lower priority;
    the niceness it now has.

    Pushes are background work that waits on Xero; a page is a person waiting. On a machine
    that runs both, the scheduler should hand the cores to the web processes first, so a
    worker busy mapping a batch of 50 invoices does not slow a click down. Only ever lowers
    the priority: raising it needs privileges, and an operator's own ``nice`` is kept.
    """
    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    return current
