"""Nothing lost: a click while Redis is down, a rate-limit retry Redis forgot, and a worker
killed mid-push all end with the record in Xero exactly once, thanks to the sweeper."""
from __future__ import annotations

import multiprocessing
import socket
import time
from datetime import timedelta

import pytest
from rq import Queue

from tests.sync.push_support import text_of
from tests.xero.xero_support import child_settings
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob
from xeroapp.queue import close_redis, get_queue, get_redis
from xeroapp.sync import outbox, sweeper
from xeroapp.sync.reconnect import RECONNECT_REASON

LATER = timedelta(minutes=1)  # past the sweeper's grace for rows just committed


def dead_redis_url() -> str:
    """A Redis URL on a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def use_redis(app, url: str) -> None:
    app.config["REDIS_URL"] = url
    close_redis(app)  # rebuilt from REDIS_URL on first use


def sweep(app, after: timedelta = LATER) -> sweeper.SweepReport:
    with app.app_context():
        return sweeper.sweep(now=utcnow() + after)


def queued_job_ids(app) -> list[str]:
    with app.app_context():
        return get_queue().get_job_ids()


def set_row(app, push_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(db.update(PushJob).where(PushJob.id == push_id).values(**values))
        db.session.commit()


def test_click_while_redis_is_down_answers_queued_then_the_sweeper_sends_it_once(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    good_url = app.config["REDIS_URL"]
    use_redis(app, dead_redis_url())

    response = desk.press("client", client_id)

    assert response.status_code == 200
    assert "Queued" in text_of(response.get_data(as_text=True))
    (job,) = desk.jobs("client", client_id)
    assert job.status == "queued"

    use_redis(app, good_url)
    assert queued_job_ids(app) == []  # the enqueue never happened
    assert sweep(app, after=timedelta(0)).enqueued == []  # just clicked: its request may enqueue yet
    report = sweep(app)
    assert report.enqueued == [job.id] and report.revived == []
    assert sweep(app).enqueued == []  # RQ holds it now: a second sweep adds nothing
    assert queued_job_ids(app) == [sweeper.sweep_job_id(job.id, 0)]

    desk.drain()

    assert len(desk.held("contacts")) == 1
    assert [j.status for j in desk.jobs("client", client_id)] == ["done"]


def test_sweeper_leaves_alone_what_rq_holds_and_what_is_not_pending(desk, records, app):
    sent = records.client(desk.workspace_id, name="Sent Ltd")
    finished = records.client(desk.workspace_id, name="Finished Ltd")
    desk.send("client", finished)
    assert desk.press("client", sent).status_code == 200  # enqueued normally: RQ holds it

    assert sweep(app).enqueued == []
    assert queued_job_ids(app) == [outbox.rq_job_id(desk.jobs("client", sent)[0].id)]


def test_rate_limit_wait_whose_retry_redis_lost_is_sent_when_due(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    with app.app_context():
        get_redis().flushdb()  # Redis restarted without persistence
    set_row(app, job.id, status="waiting", error_kind="rate_limit",
            error_message="Waiting for Xero's rate limit", not_before=utcnow() + timedelta(seconds=30))

    assert sweep(app, after=timedelta(0)).enqueued == []  # not due yet
    assert sweep(app).enqueued == [job.id]
    assert sweep(app).enqueued == []

    desk.drain()
    assert len(desk.held("contacts")) == 1
    assert [j.status for j in desk.jobs("client", client_id)] == ["done"]


def test_push_parked_for_a_reconnect_is_not_swept(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    with app.app_context():
        get_redis().flushdb()
    set_row(app, job.id, status="waiting", error_kind="reconnect",
            error_message=RECONNECT_REASON, not_before=None)

    assert sweep(app, after=timedelta(hours=1)).enqueued == []
    assert desk.jobs("client", client_id)[0].status == "waiting"


def test_running_row_with_a_live_rq_job_is_left_to_its_worker(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    set_row(app, job.id, status="running", started_at=utcnow() - timedelta(minutes=5))
    with app.app_context():  # a worker has it: in the started registry, heartbeat fresh
        queue = get_queue()
        get_redis().zadd(queue.started_job_registry.key,
                         {f"{outbox.rq_job_id(job.id)}:exec1": time.time() + 600})
        get_redis().delete(queue.key)

    assert sweep(app, after=timedelta(0)).enqueued == []
    assert desk.jobs("client", client_id)[0].status == "running"
    # ... until a row runs far longer than any job may: its worker is dead whatever RQ says.
    assert sweep(app, after=sweeper.RUNNING_STALE).revived == [job.id]


def test_lock_keeps_a_second_sweep_out(desk, records, app):
    with app.app_context():
        get_redis().set(sweeper.LOCK_KEY, "someone-else", ex=30)
        assert sweeper.sweep().locked_out
        get_redis().delete(sweeper.LOCK_KEY)
        assert not sweeper.sweep().locked_out


def wait_for_status(desk, kind: str, record_id: int, status: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if desk.jobs(kind, record_id)[0].status == status:
            return
        time.sleep(0.1)
    pytest.fail(f"push never became {status}")


def test_worker_killed_mid_push_is_picked_up_again_and_sends_once(live_desk, records, app):
    desk = live_desk
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    desk.control("faults", {"latency": 60})  # every call to Xero takes 60 s: time to kill it

    from tests.sync.sweeper_workers import run_worker
    process = multiprocessing.get_context("spawn").Process(target=run_worker,
                                                           args=(child_settings(app),))
    process.start()
    try:
        wait_for_status(desk, "client", client_id, "running")
        time.sleep(0.5)  # inside its first call to Xero
    finally:
        process.kill()  # SIGKILL: no cleanup, the row stays "running"
        process.join(timeout=10)
    desk.control("faults", method="delete")
    assert desk.jobs("client", client_id)[0].status == "running"

    # Its RQ job is still "started" until the dead worker's heartbeat expires.
    assert sweep(app, after=timedelta(0)).enqueued == []
    with app.app_context():
        started = Queue(app.config["RQ_QUEUES"][0], connection=get_redis()).started_job_registry
        expires = max(score for _, score in get_redis().zrange(started.key, 0, -1, withscores=True))
    report = sweep(app, after=timedelta(seconds=expires - time.time() + 1))
    assert report.revived == [job.id] and report.enqueued == [job.id]
    assert desk.jobs("client", client_id)[0].status == "queued"

    desk.drain()

    assert len(desk.held("contacts")) == 1
    (done,) = desk.jobs("client", client_id)
    assert (done.status, done.attempts) == ("done", 2)


def test_sweep_pushes_command_reports_what_it_enqueued(desk, records, app, runner):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    set_row(app, job.id, updated_at=utcnow() - timedelta(minutes=5))
    with app.app_context():
        get_redis().flushdb()

    result = runner.invoke(args=["sweep-pushes"])
    assert result.exit_code == 0, result.output
    assert "Enqueued 1 pending push(es), 0 of them from a dead worker." in result.output
    assert queued_job_ids(app) == [sweeper.sweep_job_id(job.id, 0)]

    good_url = app.config["REDIS_URL"]
    use_redis(app, dead_redis_url())
    result = runner.invoke(args=["sweep-pushes"])
    use_redis(app, good_url)
    assert result.exit_code == 1 and "Redis is unavailable" in result.output


def run_maintenance(rq_worker) -> None:
    """One maintenance tick of a worker that is not working."""
    rq_worker.run_maintenance_tasks()


def test_periodic_sweep_runs_from_the_worker_and_reschedules_itself(desk, records, app):
    from xeroapp.worker import build_worker

    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.press("client", client_id)
    (job,) = desk.jobs("client", client_id)
    set_row(app, job.id, updated_at=utcnow() - timedelta(minutes=5))
    with app.app_context():
        get_redis().flushdb()  # Redis lost the push and any sweep chain
        run_maintenance(build_worker(app, simple=True, sweep=True))  # a worker's tick
        assert not sweeper.ensure_periodic_sweep()  # one chain, however many workers
        assert [j.startswith("sweep-pushes-") for j in get_queue().get_job_ids()] == [True]

    desk.drain()  # runs the sweep, which enqueues the push, which the worker then sends

    assert len(desk.held("contacts")) == 1
    with app.app_context():
        (next_sweep,) = get_queue().scheduled_job_registry.get_job_ids()
        assert next_sweep.startswith("sweep-pushes-")
        run_at = get_queue().scheduled_job_registry.get_scheduled_time(next_sweep)
        assert 0 < (run_at - utcnow()).total_seconds() <= sweeper.SWEEP_INTERVAL.total_seconds()


def test_test_workers_do_not_start_the_sweep(app):
    from xeroapp.worker import build_worker

    with app.app_context():
        run_maintenance(build_worker(app, simple=True))
        assert get_queue().get_job_ids() == []


def test_enqueue_with_redis_down_gives_up_after_the_first_failure(app, caplog):
    good_url = app.config["REDIS_URL"]
    use_redis(app, dead_redis_url())
    try:
        with app.app_context():
            assert outbox.enqueue([7, 8, 9]) == []
    finally:
        use_redis(app, good_url)
    assert [r.getMessage() for r in caplog.records if r.name == "xeroapp.sync.outbox"] == [
        "3 push job(s) stay queued for the sweeper: Redis unavailable"]


def test_rq_worker_command_sweeps_when_it_runs_the_scheduler_and_stays(runner, monkeypatch):
    started: list[tuple[bool, bool]] = []

    class StubWorker:
        def __init__(self, sweep: bool) -> None:
            self.sweep = sweep

        def work(self, *, burst: bool, with_scheduler: bool) -> None:
            started.append((self.sweep, with_scheduler))

    monkeypatch.setattr("xeroapp.worker.build_worker",
                        lambda app, names, *, simple, sweep: StubWorker(sweep))
    for args in (["--with-scheduler"], [], ["--with-scheduler", "--burst"],
                 ["--with-scheduler", "--no-sweep"]):
        assert runner.invoke(args=["rq-worker", *args]).exit_code == 0

    assert started == [(True, True), (False, False), (False, True), (False, True)]


def test_two_sweep_chains_merge_into_one(app):
    with app.app_context():
        queue = get_queue()
        queue.enqueue_in(timedelta(seconds=20), sweeper.SWEEP_FUNCTION, job_id="sweep-pushes-other")

        sweeper.sweep_job()  # a second chain's sweep: the other one is already scheduled

        assert queue.scheduled_job_registry.get_job_ids() == ["sweep-pushes-other"]
