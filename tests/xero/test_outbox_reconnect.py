"""Pushes parked while Xero needs reconnecting, and resumed (enqueued after commit) after."""
from __future__ import annotations

import sqlalchemy as sa
from rq import Queue

from tests.xero.xero_support import DEMO_TENANT_ID, SECOND_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models.xero import PushJob
from xeroapp.queue import get_queue
from xeroapp.sync.outbox import PUSH_FUNCTION, rq_job_id
from xeroapp.sync.reconnect import (OTHER_ORGANISATION, RECONNECT_REASON, hold_for_reconnect,
                                    resume_after_reconnect)


def add_jobs(workspace_id: int, *specs: tuple[str, str | None]) -> list[int]:
    jobs = [PushJob(workspace_id=workspace_id, record_kind="client", record_id=n, action="send",
                    status=status, tenant_id=tenant)
            for n, (status, tenant) in enumerate(specs, start=1)]
    db.session.add_all(jobs)
    db.session.commit()
    return [j.id for j in jobs]


def statuses(ids: list[int]) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    return [(db.session.get(PushJob, i).status, db.session.get(PushJob, i).error_message) for i in ids]


def test_hold_parks_queued_and_waiting_pushes_of_that_workspace_only(app, records):
    mine, other = records.workspace(), records.workspace("Else", "else@example.com")
    with app.app_context():
        ids = add_jobs(mine, ("queued", DEMO_TENANT_ID), ("waiting", DEMO_TENANT_ID),
                       ("done", DEMO_TENANT_ID), ("running", DEMO_TENANT_ID))
        (theirs,) = add_jobs(other, ("queued", DEMO_TENANT_ID))
        hold_for_reconnect(db.session, mine)
        db.session.commit()
        assert statuses(ids) == [("waiting", RECONNECT_REASON), ("waiting", RECONNECT_REASON),
                                 ("done", None), ("running", None)]
        assert statuses([theirs]) == [("queued", None)]


def test_resume_requeues_the_same_organisations_pushes_and_enqueues_them(app, records):
    workspace_id = records.workspace()
    with app.app_context():
        ids = add_jobs(workspace_id, ("queued", DEMO_TENANT_ID), ("queued", None),
                       ("queued", SECOND_TENANT_ID))
        hold_for_reconnect(db.session, workspace_id)
        db.session.commit()
        resumed = resume_after_reconnect(db.session, workspace_id, DEMO_TENANT_ID)

        assert resumed == ids[:2]
        assert statuses(ids) == [("queued", None), ("queued", None), ("failed", OTHER_ORGANISATION)]
        queue: Queue = get_queue()
        assert sorted(queue.job_ids) == sorted(rq_job_id(i) for i in ids[:2])
        job = queue.fetch_job(rq_job_id(ids[0]))
        assert job.func_name == PUSH_FUNCTION and job.args == (ids[0],)


def test_resume_leaves_pushes_waiting_for_a_rate_limit_alone(app, records):
    workspace_id = records.workspace()
    with app.app_context():
        (rate_limited,) = add_jobs(workspace_id, ("waiting", DEMO_TENANT_ID))
        resume_after_reconnect(db.session, workspace_id, DEMO_TENANT_ID)
        assert statuses([rate_limited]) == [("waiting", None)]
        assert get_queue().count == 0
        assert db.session.scalar(sa.select(sa.func.count(PushJob.id))) == 1
