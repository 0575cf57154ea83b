"""`flask rq-worker --threads N` as an operator runs it: a process of its own, pushing to the
sandbox over HTTP, stopped with SIGTERM (warm: running jobs finish) or twice (cold)."""
from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import pytest
from rq import Worker
from rq.job import Job
from rq.registry import FinishedJobRegistry, StartedJobRegistry

from tests.worker_processes import Start, wait_until, worker_processes
from tests.worker.jobs import nap
from xeroapp.queue import get_queue, get_redis

@pytest.fixture
def worker_process(app) -> Iterator[Start]:
    """``start(*options, sandbox_url=...)``: a `flask rq-worker` process with ``options``."""
    with worker_processes(app, "http://127.0.0.1:9") as start:
        yield start


def exit_status(proc: subprocess.Popen, limit: float = 30.0) -> int:
    """The process's exit status; its log when it does not end in time."""
    try:
        return proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the worker did not stop:\n{proc.communicate()[1][-3000:]}")


def enqueue_naps(app, count: int, seconds: float) -> list[Job]:
    with app.app_context():
        return [get_queue().enqueue(nap, seconds) for _ in range(count)]


def statuses(jobs: list[Job]) -> list[str]:
    return [job.get_status(refresh=True) for job in jobs]


def shutdown_recorded(app, count: int) -> bool:
    with app.app_context():
        workers = Worker.all(connection=get_redis())
    return len(workers) == count and all(w.shutdown_requested_date for w in workers)


def test_sigterm_lets_running_jobs_finish_and_takes_no_new_one(app, worker_process):
    running = enqueue_naps(app, 4, 3.0)
    waiting = enqueue_naps(app, 1, 0.1)
    proc = worker_process("--threads", "4")
    wait_until("four jobs running", lambda: statuses(running) == ["started"] * 4)

    proc.send_signal(signal.SIGTERM)

    assert exit_status(proc) == 0, proc.stderr.read()
    assert statuses(running) == ["finished"] * 4
    assert statuses(waiting) == ["queued"]  # left for the next worker
    with app.app_context():
        queue = get_queue()
        assert StartedJobRegistry(queue=queue).count == 0
        assert FinishedJobRegistry(queue=queue).count == 4
        assert Worker.all(connection=get_redis()) == []  # every thread said goodbye


def test_a_second_sigterm_stops_at_once(app, worker_process):
    running = enqueue_naps(app, 2, 60.0)
    proc = worker_process("--threads", "2", "--with-scheduler", "--no-sweep")
    wait_until("two jobs running", lambda: statuses(running) == ["started"] * 2)

    proc.send_signal(signal.SIGTERM)
    # Two signals sent at once would arrive as one: the second goes once the first was heard.
    wait_until("the warm shutdown to be recorded", lambda: shutdown_recorded(app, 2))
    proc.send_signal(signal.SIGTERM)

    # Not 60 s: the jobs are abandoned, still "started" until their heartbeat lapses, and
    # the sweeper re-runs the pushes among them.
    assert exit_status(proc, limit=20) == 1
    assert statuses(running) == ["started"] * 2
    with app.app_context():
        redis = get_redis()
        assert Worker.all(connection=redis) == []  # gone, and Redis was told
        assert redis.keys("rq:scheduler-lock:*") == []  # the scheduler stopped with them


def test_clients_pushed_at_once_through_threads_each_end_linked_once(
        live_desk, records, app, worker_process):
    desk = live_desk
    names = [f"Threaded Client {n}" for n in range(6)]
    ids = [records.client(desk.workspace_id, name=name) for name in names]
    # Each call to Xero waits, as at real Xero: the threads' pushes overlap in time.
    desk.control("faults", {"latency": 0.3, "paths": ["Contacts"]})
    for client_id in ids:
        assert desk.press("client", client_id).status_code == 200

    proc = worker_process("--threads", "4", "--burst", sandbox_url=desk.app.config["XERO_API_URL"])

    assert exit_status(proc, limit=60) == 0, proc.stderr.read()
    held = desk.held("contacts")
    assert sorted(c["Name"] for c in held) == sorted(names)  # each once
    by_name = {c["Name"]: c["ContactID"] for c in held}
    for name, client_id in zip(names, ids):
        assert desk.link("client", client_id).xero_id == by_name[name]
        assert [job.status for job in desk.jobs("client", client_id)] == ["done"]
    with app.app_context():
        registry = FinishedJobRegistry(queue=get_queue())
        finished = [Job.fetch(job_id, connection=get_redis()) for job_id in registry.get_job_ids()]
    assert len(finished) == 6
    assert len({job.worker_name for job in finished}) > 1  # shared between the threads
