"""A push waiting out a rate limit or a back-off is not sent before its ``not_before`` by any
job: its own retry, a bulk batch, a sweep's job. A job that reaches the row early leaves it
alone (the retry scheduled for its time sends it) and calls nothing at Xero."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from tests.sync.push_support import HTMX, run_scheduled, waits_over
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob
from xeroapp.queue import get_queue
from xeroapp.sync.bulk.lanes import BULK_QUEUE
from xeroapp.sync import sweeper
from xeroapp.sync.bulk.jobs import run_bulk_batch
from xeroapp.sync.jobs import run_push_job
from xeroapp.sync.reconnect import RECONNECT_REASON


def calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def rows(app) -> list[PushJob]:
    with app.app_context():
        found = list(db.session.scalars(db.select(PushJob).order_by(PushJob.id)))
        for row in found:
            db.session.expunge(row)
        return found


def start_bulk(desk) -> None:
    """Send all not in Xero, on the clients list."""
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX).status_code == 200


# -- one rule, in Python and in SQL ---------------------------------------------------------
STATES = [  # (values, runnable at now)
    ({"status": "queued"}, True),
    ({"status": "running"}, False),
    ({"status": "done"}, False),
    ({"status": "failed", "error_kind": "unreachable"}, False),
    ({"status": "waiting", "error_kind": "rate_limit", "not_before": -5}, True),
    ({"status": "waiting", "error_kind": "unreachable", "not_before": -5}, True),
    ({"status": "waiting", "error_kind": "rate_limit", "not_before": 30}, False),
    ({"status": "waiting", "error_kind": "unreachable", "not_before": 30}, False),
    # parked for a reconnect: no time, and never runnable by time even if one were left
    ({"status": "waiting", "error_kind": "reconnect", "error_message": RECONNECT_REASON}, False),
    ({"status": "waiting", "error_kind": "reconnect", "not_before": -5}, False),
    # a timed wait that lost its time (as rows parked before the reconnect kind existed)
    ({"status": "waiting", "error_kind": "rate_limit", "error_message": RECONNECT_REASON}, False),
    ({"status": "waiting", "error_message": RECONNECT_REASON}, False),
]


def test_the_runnable_rule_is_the_same_in_python_and_in_sql(desk, records, app):
    now = utcnow()
    expected = {}
    client_ids = [records.client(desk.workspace_id, name=f"Client {n}") for n in range(len(STATES))]
    with app.app_context():
        for (values, runnable), client_id in zip(STATES, client_ids):
            values = dict(values)
            if "not_before" in values:
                values["not_before"] = now + timedelta(seconds=values["not_before"])
            row = PushJob(workspace_id=desk.workspace_id, record_kind="client",
                          record_id=client_id, action="send", **values)
            db.session.add(row)
            db.session.flush()
            assert row.is_runnable(now) is runnable, values
            expected[row.id] = runnable
        db.session.commit()
        in_sql = set(db.session.scalars(db.select(PushJob.id).where(PushJob.is_runnable(now))))
    assert in_sql == {row_id for row_id, runnable in expected.items() if runnable}


# -- the single push ------------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["503", "429"])
def test_a_job_reaching_a_waiting_push_early_leaves_it_alone(desk, records, app, fault):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": [fault], "retry_after": 30})
    desk.send("client", client_id)
    (waiting,) = desk.jobs("client", client_id)
    assert waiting.status == "waiting" and waiting.not_before > utcnow() + timedelta(seconds=20)
    with app.app_context():  # RQ keeps whole seconds: its retry cannot start before the row is due
        registry = ScheduledJobRegistry(queue=get_queue())
        (retry_id,) = registry.get_job_ids()
        assert registry.get_scheduled_time(retry_id) == waiting.not_before
    before = calls(desk)

    with app.app_context():  # a sweep's job, or a stray one, runs during the wait
        assert run_push_job(waiting.id) is None

    (row,) = desk.jobs("client", client_id)
    assert (row.status, row.not_before, row.attempts) == ("waiting", waiting.not_before,
                                                          waiting.attempts)
    assert calls(desk) == before and desk.held("contacts") == []

    run_scheduled(app, desk.drain)  # its time has come: its own retry sends it

    assert [j.status for j in desk.jobs("client", client_id)] == ["done"]
    assert len(desk.held("contacts")) == 1


# -- bulk batches ---------------------------------------------------------------------------
def test_a_batch_reaching_its_rows_during_their_back_off_sends_nothing(desk, records, app):
    for n in range(3):
        records.client(desk.workspace_id, name=f"Client {n}")
    desk.control("faults", {"next": ["500"]})
    start_bulk(desk)
    desk.drain()
    waiting = rows(app)
    assert {(r.status, r.error_kind) for r in waiting} == {("waiting", "unreachable")}
    before = calls(desk)

    with app.app_context():  # the same batch again, and one row through the single-push path
        assert run_bulk_batch(waiting[0].bulk_push_id, [r.id for r in waiting]) is None
        assert run_push_job(waiting[1].id) is None

    assert [(r.status, r.not_before) for r in rows(app)] == [(r.status, r.not_before)
                                                            for r in waiting]
    assert calls(desk) == before and desk.held("contacts") == []

    run_scheduled(app, desk.drain)

    assert {r.status for r in rows(app)} == {"done"}
    assert len(desk.held("contacts")) == 3


def test_sweep_jobs_do_not_send_rows_during_the_back_off_of_a_batch(desk, records, app):
    """A sweep re-queues a batch's rows one job each; the first job batches them all and
    meets a 500: the others' jobs then find the rows waiting for the back-off and leave them
    to the batch's retry."""
    for n in range(3):
        records.client(desk.workspace_id, name=f"Client {n}")
    start_bulk(desk)
    with app.app_context():
        get_queue(BULK_QUEUE).empty()  # Redis lost the batch's job
        report = sweeper.sweep(now=utcnow() + timedelta(minutes=1))
    assert len(report.enqueued) == 3
    desk.control("faults", {"next": ["500"]})
    before = calls(desk)

    desk.drain()

    assert {(r.status, r.error_kind) for r in rows(app)} == {("waiting", "unreachable")}
    assert calls(desk) - before == 1  # the one batch that met the 500; nothing after it
    assert desk.held("contacts") == []
    with app.app_context():  # a sweep now finds nothing due, and the batch's retry holds them
        assert sweeper.sweep().enqueued == []

    run_scheduled(app, desk.drain)

    assert {r.status for r in rows(app)} == {"done"}
    # the batch that met the 500; on its re-send, a look for contacts an earlier try may
    # have adopted by name (sync/bulk/senders._adopted_before); the batch again
    assert len(desk.held("contacts")) == 3 and calls(desk) - before == 3


def test_a_sweep_sends_a_wait_whose_retry_was_lost_only_once_it_is_due(desk, records, app):
    for n in range(2):
        records.client(desk.workspace_id, name=f"Client {n}")
    desk.control("faults", {"next": ["503"]})
    start_bulk(desk)
    desk.drain()
    (first, _) = waiting = rows(app)
    with app.app_context():
        registry = ScheduledJobRegistry(queue=get_queue(BULK_QUEUE))
        registry.remove(registry.get_job_ids()[0])  # Redis lost the batch's retry
        assert sweeper.sweep().enqueued == []  # not due yet
        assert sweeper.sweep(now=first.not_before - timedelta(seconds=1)).enqueued == []
    desk.drain()
    assert desk.held("contacts") == []

    waits_over(app)
    with app.app_context():
        assert sorted(sweeper.sweep().enqueued) == [r.id for r in waiting]
    desk.drain()

    assert {r.status for r in rows(app)} == {"done"}
    assert len(desk.held("contacts")) == 2
