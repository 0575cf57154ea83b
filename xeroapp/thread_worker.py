"""Several RQ workers in one process, one per thread: ``flask rq-worker --threads N``.

A push spends nearly all its time waiting for Xero's answer, so one process can keep several
jobs in flight, where a forking worker needs a process (and its memory) for each. Each thread
runs RQ's SimpleWorker loop as a worker of its own (registered under ``<host>.<pid>.t<i>``,
visible to ``rq info`` and the health check). They share the Flask app, its SQLAlchemy engine
pool and its Redis connection pool; each job still gets its own app context, hence its own
database session (AppContextMixin.perform_job), and every call to Xero builds its own httpx
client (xeroapp.xero.http), so no session or client crosses threads.

What threads change compared with RQ's one-worker process:

- Signals reach the main thread only. The pool's main thread catches SIGTERM/SIGINT and asks
  every thread to stop after its current job (warm); a second signal exits at once (cold): the
  threads are daemons, and the sweeper re-runs the pushes they were in the middle of.
- A job's timeout cannot be SIGALRM (one alarm per process, delivered to the main thread):
  thread workers raise it into the job's thread from a timer (ThreadDeathPenalty).
- Only the first thread runs RQ's scheduler and the app's periodic sweep.
- The last ``people_threads`` threads take only the first queue (people's pushes): however
  many bulk batches are waiting on Xero, a Send finds a thread free at once rather than
  waiting for a batch's call to end.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from flask import Flask
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq.exceptions import StopRequested
from rq.job import Job
from rq.logutils import setup_loghandlers
from rq.queue import Queue
from rq.timeouts import JobTimeoutException, TimerDeathPenalty
from rq.utils import now

from xeroapp.worker import AppSimpleWorker, build_worker, wait_for_redis

log = logging.getLogger(__name__)

# How often an idle thread looks up from its wait on the queues to see whether it was asked
# to stop. RQ's own worker is interrupted by the signal itself; a thread cannot be, so this is
# how long a warm shutdown can wait for an idle thread (one BLPOP per thread this often).
STOP_CHECK_SECONDS = 2
# Pause before a thread whose loop ended on its own (Redis went away) starts a fresh worker.
RESTART_PAUSE = 1.0


class ThreadDeathPenalty(TimerDeathPenalty):
    """RQ's timer-based job timeout, with a timeout exception class of its own.

    TimerDeathPenalty writes its message ("exceeded N seconds") onto the exception class it
    is given; shared by every thread, one job's timeout would carry another's message. A
    subclass per penalty keeps them apart, and ``except JobTimeoutException`` still catches it.
    """

    def __init__(self, timeout: int, exception: type[BaseException] = JobTimeoutException,
                 **kwargs: Any) -> None:
        own = type(exception.__name__, (exception,), {"__module__": exception.__module__})
        super().__init__(timeout, own, **kwargs)


class ThreadWorker(AppSimpleWorker):
    """AppSimpleWorker for a thread of a pool: no signal handlers, a timer for job timeouts,
    and an idle wait that notices a stop request within STOP_CHECK_SECONDS."""

    death_penalty_class = ThreadDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Only the main thread may install handlers; the pool's main thread owns them."""

    def procline(self, message: str) -> None:
        """One process title for all threads: each thread's state would overwrite the
        others', so it stays the command line."""

    def _set_ip_address(self, connection: Redis) -> None:
        """RQ names a connection (CLIENT SETNAME) and then looks for that name in CLIENT LIST;
        with the pool shared by every thread the two commands may go out on different
        connections and the worker's address is lost. Both go on one connection here."""
        own = Redis(connection_pool=connection.connection_pool, single_connection_client=True)
        try:
            super()._set_ip_address(own)
        finally:
            own.close()

    def register_birth(self) -> None:
        # The name holds this process's pid and the thread's index, so an entry under it that
        # never recorded a death is this thread's previous worker, cut off from Redis before
        # it could say goodbye (RQ would refuse to start a worker under a live-looking name).
        self.connection.delete(self.key)
        super().register_birth()

    def stop_after_current_job(self) -> None:
        """Warm shutdown, safe to call from any thread (a signal handler included): only a
        flag is set; the thread checks it between jobs and during its idle wait."""
        if self._shutdown_requested_date is None:
            self._shutdown_requested_date = now()
        self._stop_requested = True

    def dequeue_job_and_maintain_ttl(self, timeout: int | None,
                                     max_idle_time: int | None = None) -> tuple[Job, Queue] | None:
        """RQ's wait for a job, in slices of STOP_CHECK_SECONDS so that a stop request is
        seen while idle. ``timeout`` None (burst) does not block, as in RQ."""
        idle_since = time.monotonic()
        while True:
            if self._stop_requested:
                raise StopRequested()  # work() ends its loop on it, then deregisters
            if timeout is None:
                return super().dequeue_job_and_maintain_ttl(None, max_idle_time)
            result = super().dequeue_job_and_maintain_ttl(timeout, STOP_CHECK_SECONDS)
            if result is not None:
                return result
            if max_idle_time is not None and time.monotonic() - idle_since >= max_idle_time:
                return None


def thread_worker_name(index: int) -> str:
    return f"{socket.gethostname()}.{os.getpid()}.t{index}"


@dataclass
class WorkerPool:
    """``threads`` ThreadWorkers on ``queues`` in this process; ``run`` blocks until they end.

    Thread 0 alone runs RQ's scheduler (``with_scheduler``) and the app's sweep (``sweep``);
    the last ``people_threads`` threads listen to the first queue only.
    """

    app: Flask
    threads: int
    queues: list[str] | None = None
    burst: bool = False
    with_scheduler: bool = False
    sweep: bool = False
    people_threads: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    workers: dict[int, ThreadWorker] = field(default_factory=dict)
    failures: list[BaseException] = field(default_factory=list)
    # Reentrant: the signal handler runs in the main thread, maybe while it holds the lock.
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _signals: int = 0

    def run(self, *, install_signals: bool = True) -> int:
        """Run every thread to its end; 0 when all ended as asked (burst, stop), else 1."""
        previous = self._install_signal_handlers() if install_signals else {}
        # RQ adds its log handlers when a worker starts unless the logger has some; threads
        # starting together would each see none and add theirs (every line printed N times).
        setup_loghandlers(name="rq.worker")
        setup_loghandlers(name="rq.job")
        try:
            started = [threading.Thread(target=self._serve, args=(index,), daemon=True,
                                        name=f"rq-worker-t{index}")
                       for index in range(self.threads)]
            for thread in started:
                thread.start()
            announced = False
            for thread in started:
                while thread.is_alive():
                    # A timed join: the main thread must come back to run signal handlers.
                    thread.join(timeout=0.5)
                    if self.stopping.is_set() and not announced:
                        announced = True
                        self._announce_stop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 1 if self.failures else 0

    def stop(self) -> None:
        """Warm shutdown of every thread (idempotent, signal-safe: flags only)."""
        self.stopping.set()
        with self._lock:
            workers = list(self.workers.values())
        for worker in workers:
            worker.stop_after_current_job()

    def _announce_stop(self) -> None:
        """Record the warm shutdown on each worker in Redis, as RQ's own worker does (``rq
        info`` and the dashboards show it); not from the signal handler, which only flags."""
        with self._lock:
            workers = list(self.workers.values())
        for worker in workers:
            try:
                worker.set_shutdown_requested_date()
            except RedisError:
                log.warning("could not record the shutdown of %s: Redis unavailable", worker.name)

    # -- one thread ------------------------------------------------------------------------
    def _serve(self, index: int) -> None:
        """One thread's life: a worker loop, started afresh when Redis went away under it."""
        try:
            while not self.stopping.is_set():
                worker = self._new_worker(index)
                try:
                    worker.work(burst=self.burst,
                                with_scheduler=self.with_scheduler and index == 0)
                except RedisConnectionError:
                    if self.burst:
                        raise
                    log.warning("worker %s: Redis went away while a job ran; starting again "
                                "once it is back", worker.name)
                finally:
                    with self._lock:
                        self.workers.pop(index, None)
                if self.burst or self.stopping.is_set():
                    return
                # RQ's loop ends on its own when it lost Redis (or gave up on an error it does
                # not know): wait for Redis, then serve again rather than leave a thread idle.
                wait_for_redis(self.app, stop=self.stopping)
                self.stopping.wait(RESTART_PAUSE)
        except BaseException as exc:  # noqa: BLE001 - reported by run(), the others stop
            log.exception("worker thread %s failed; stopping the others", index)
            self.failures.append(exc)
            self.stop()

    def _queues_for(self, index: int) -> list[str] | None:
        names = self.queues or list(self.app.config["RQ_QUEUES"])
        if index > 0 and index >= self.threads - self.people_threads and len(names) > 1:
            return names[:1]
        return self.queues

    def _new_worker(self, index: int) -> ThreadWorker:
        worker = build_worker(self.app, self._queues_for(index), worker_class=ThreadWorker,
                              sweep=self.sweep and index == 0, name=thread_worker_name(index))
        assert isinstance(worker, ThreadWorker)
        with self._lock:
            self.workers[index] = worker
            if self.stopping.is_set():  # asked to stop while this worker was being built
                worker.stop_after_current_job()
        return worker

    # -- signals (main thread) -------------------------------------------------------------
    def _install_signal_handlers(self) -> dict[int, Any]:
        """Ours for SIGTERM and SIGINT; the handlers they replace, to put back at the end."""
        return {signum: signal.signal(signum, self._on_signal)
                for signum in (signal.SIGTERM, signal.SIGINT)}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals == 1:
            log.info("%s: stopping every thread after its current job (again to stop now)",
                     signal.Signals(signum).name)
            self.stop()
            return
        # Cold: the threads are daemons and die with the process. The pushes they were running
        # stay "running" until the sweeper finds their heartbeat gone and runs them again.
        log.warning("%s again: stopping now, jobs in progress are left to the sweeper",
                    signal.Signals(signum).name)
        self._leave_now()
        raise SystemExit(1)

    def _leave_now(self) -> None:
        """What a thread's own end would have done, before the process exits under it: the
        scheduler process stopped (the exit would otherwise wait for it) and each worker's
        death told to Redis, so that nobody counts on workers that are gone."""
        with self._lock:
            workers = list(self.workers.values())
        for worker in workers:
            try:
                if worker.scheduler:
                    worker.stop_scheduler()
                worker.register_death()
            except (RedisError, OSError):
                log.warning("worker %s left without saying goodbye", worker.name)
