"""A pool of worker threads in this process (``flask rq-worker --threads N``): jobs run side
by side, RQ's registries end as after a plain worker, one job's failure or timeout is its own."""
from __future__ import annotations

import signal
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from tests.worker.jobs import dawdle, fail, nap
from xeroapp.extensions import db
from xeroapp.queue import get_queue, get_redis
from xeroapp.thread_worker import ThreadWorker, WorkerPool, thread_worker_name
from xeroapp.worker import build_worker

NAP = 0.5


def enqueue(app, function, *args, **options) -> Job:
    with app.app_context():
        return get_queue().enqueue(function, *args, **options)


def run_pool(app, threads: int) -> float:
    """Run a burst pool to its end; how long it took."""
    started = time.monotonic()
    pool = WorkerPool(app, threads, burst=True)
    assert pool.run(install_signals=False) == 0, pool.failures
    return time.monotonic() - started


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most spans (start, end) in progress at one moment."""
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def registries(app) -> dict[str, int]:
    with app.app_context():
        queue = get_queue()
        return {"queued": queue.count,
                "started": StartedJobRegistry(queue=queue).count,
                "finished": FinishedJobRegistry(queue=queue).count,
                "failed": FailedJobRegistry(queue=queue).count}


def test_four_threads_run_eight_waiting_jobs_side_by_side(app):
    jobs = [enqueue(app, nap, NAP) for _ in range(8)]

    elapsed = run_pool(app, 4)

    results = [job.return_value(refresh=True) for job in jobs]
    assert all(result is not None for result in results), [j.get_status() for j in jobs]
    spans = [(r["started"], r["ended"]) for r in results]
    # Four at a time: two rounds of NAP, where one worker would take eight. (At least three:
    # on a loaded machine a thread may start late, find the queue empty and end its burst.)
    assert most_at_once(spans) >= 3
    assert elapsed < 6 * NAP, elapsed  # generous for a loaded machine; serial is 8 * NAP
    with app.app_context():
        names = {Job.fetch(job.id, connection=get_redis()).worker_name for job in jobs}
    assert names <= {thread_worker_name(i) for i in range(4)} and len(names) >= 3
    assert len({r["thread"] for r in results}) == len(names)
    assert registries(app) == {"queued": 0, "started": 0, "finished": 8, "failed": 0}


def test_a_failing_job_fails_alone(app):
    ok = [enqueue(app, nap, 0.2) for _ in range(3)]
    broken = enqueue(app, fail, "this one only")
    ok += [enqueue(app, nap, 0.2) for _ in range(3)]

    run_pool(app, 3)

    assert broken.get_status(refresh=True) == "failed"
    assert "this one only" in broken.latest_result().exc_string
    assert [job.get_status(refresh=True) for job in ok] == ["finished"] * 6
    assert registries(app) == {"queued": 0, "started": 0, "finished": 6, "failed": 1}


def test_a_job_over_its_timeout_is_stopped_in_its_thread_only(app):
    """RQ's SIGALRM cannot reach a thread: the pool's workers time jobs out with a timer."""
    slow = enqueue(app, dawdle, 30, job_timeout=1)
    others = [enqueue(app, nap, 0.3) for _ in range(3)]

    elapsed = run_pool(app, 2)

    assert slow.get_status(refresh=True) == "failed"
    assert "JobTimeoutException" in slow.latest_result().exc_string
    assert "(1 seconds)" in slow.latest_result().exc_string
    assert [job.get_status(refresh=True) for job in others] == ["finished"] * 3
    assert elapsed < 15, elapsed
    assert registries(app)["started"] == 0


def test_only_the_first_thread_sweeps(app):
    pool = WorkerPool(app, 3, sweep=True)
    workers = [pool._new_worker(index) for index in range(3)]
    assert [worker.sweep for worker in workers] == [True, False, False]
    assert [worker.name for worker in workers] == [thread_worker_name(i) for i in range(3)]


def test_the_last_threads_take_only_peoples_pushes(app):
    pool = WorkerPool(app, 8, people_threads=2)
    queues = [[q.name for q in pool._new_worker(index).queues] for index in range(8)]
    assert queues[:6] == [["xero", "xero-bulk", "xero-low"]] * 6
    assert queues[6:] == [["xero"], ["xero"]]


def test_a_send_starts_at_once_while_bulk_work_fills_the_other_threads(app):
    with app.app_context():
        bulk = [get_queue("xero-bulk").enqueue(nap, 2 * NAP) for _ in range(6)]
    pool = WorkerPool(app, 3, burst=False, people_threads=1)
    runner = threading.Thread(target=pool.run, kwargs={"install_signals": False}, daemon=True)
    runner.start()
    time.sleep(NAP / 2)  # both general threads are now inside a bulk job
    clicked = time.time()
    send = enqueue(app, nap, 0)
    deadline = time.monotonic() + 10
    while send.return_value(refresh=True) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    pool.stop()
    runner.join(timeout=10)

    # Its own thread was free: it did not wait for a bulk job (1 s) to end.
    assert send.return_value()["started"] - clicked < NAP
    assert sum(job.return_value(refresh=True) is not None for job in bulk) >= 2


def test_one_thread_is_todays_worker(app):
    """WORKER_THREADS=1 (the default) keeps RQ's forking worker."""
    assert app.config["WORKER_THREADS"] == 1
    assert type(build_worker(app)).__name__ == "AppWorker"


def test_a_thread_starts_again_when_redis_went_away_mid_job(app, monkeypatch):
    pool = WorkerPool(app, 1)
    runs: list[str] = []

    def work(worker, *, burst: bool, with_scheduler: bool) -> None:
        runs.append(worker.name)
        if len(runs) == 1:
            raise RedisConnectionError("Connection closed by server.")
        pool.stop()

    monkeypatch.setattr(ThreadWorker, "work", work)
    monkeypatch.setattr("xeroapp.thread_worker.RESTART_PAUSE", 0)

    assert pool.run(install_signals=False) == 0
    assert runs == [thread_worker_name(0)] * 2


def test_a_thread_that_cannot_go_on_stops_the_others_and_the_process_fails(app, monkeypatch):
    """Redis gone for good: like a one-worker process, the pool ends with an error (and its
    supervisor starts it again), rather than serve on with fewer threads."""
    pool = WorkerPool(app, 2)

    def work(worker, *, burst: bool, with_scheduler: bool) -> None:
        if worker.name.endswith(".t0"):
            raise RedisConnectionError("gone")
        while not worker._stop_requested:  # what the real loop does between its jobs
            time.sleep(0.01)

    def redis_never_back(app, *, stop) -> None:
        raise RedisConnectionError("still gone")

    monkeypatch.setattr(ThreadWorker, "work", work)
    monkeypatch.setattr("xeroapp.thread_worker.wait_for_redis", redis_never_back)

    assert pool.run(install_signals=False) == 1
    assert [type(exc) for exc in pool.failures] == [RedisConnectionError]


def test_the_command_runs_worker_threads_from_the_setting(app, runner):
    app.config["WORKER_THREADS"] = 3
    jobs = [enqueue(app, nap, 0.3) for _ in range(3)]
    before = signal.getsignal(signal.SIGTERM)  # an earlier worker in this process may have set it

    result = runner.invoke(args=["rq-worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert [job.get_status(refresh=True) for job in jobs] == ["finished"] * 3
    assert signal.getsignal(signal.SIGTERM) is before  # handed back after the run


def test_the_threads_option_beats_the_setting(app, runner):
    jobs = [enqueue(app, nap, 0.3) for _ in range(2)]

    result = runner.invoke(args=["rq-worker", "--burst", "--threads", "2"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        names = {Job.fetch(job.id, connection=get_redis()).worker_name for job in jobs}
    assert names <= {thread_worker_name(0), thread_worker_name(1)}


def test_the_database_pool_grows_with_worker_threads(make_app):
    app = make_app(DATABASE_URL="postgresql://user@db.invalid/xeroapp",  # never connected
                   WORKER_THREADS=12)
    with app.app_context():
        assert db.engine.pool.size() == 14
    assert make_app(DATABASE_URL="postgresql://user@db.invalid/xeroapp",
                    WORKER_THREADS=1).config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_size") is None
