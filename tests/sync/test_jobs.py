"""run_push_job's guards: it pushes only rows that are due, for the organisation they name."""
from __future__ import annotations

from tests.xero.xero_support import SECOND_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models import Client
from xeroapp.models.xero import PushJob
from xeroapp.sync.jobs import run_push_job
from xeroapp.sync.reconnect import OTHER_ORGANISATION, RECONNECT_REASON


def add_job(app, workspace_id, record_id, **values) -> int:
    with app.app_context():
        job = PushJob(workspace_id=workspace_id, record_kind="client", record_id=record_id,
                      action="send", **{"status": "queued", **values})
        db.session.add(job)
        db.session.commit()
        return job.id


def run(app, job_id):
    with app.app_context():
        result = run_push_job(job_id)
        job = db.session.get(PushJob, job_id)
        return result, job.status, job.error_message


def test_finished_or_parked_rows_are_left_alone(desk, records, app):
    client_id = records.client(desk.workspace_id)
    done = add_job(app, desk.workspace_id, client_id, status="done")
    assert run(app, done) == (None, "done", None)
    other = records.client(desk.workspace_id, name="Other")
    parked = add_job(app, desk.workspace_id, other, status="waiting", error_message=RECONNECT_REASON,
                     error_kind="reconnect")
    assert run(app, parked) == (None, "waiting", RECONNECT_REASON)
    assert desk.held("contacts") == []


def test_a_push_meant_for_another_organisation_is_not_sent_here(desk, records, app):
    client_id = records.client(desk.workspace_id)
    job_id = add_job(app, desk.workspace_id, client_id, tenant_id=SECOND_TENANT_ID)
    assert run(app, job_id) == ("failed", "failed", OTHER_ORGANISATION)
    assert desk.held("contacts") == []


def test_a_record_deleted_before_its_push_fails_in_plain_words(desk, records, app):
    client_id = records.client(desk.workspace_id)
    job_id = add_job(app, desk.workspace_id, client_id)
    with app.app_context():
        db.session.delete(db.session.get(Client, client_id))
        db.session.commit()
    assert run(app, job_id) == ("failed", "failed", "This client was deleted before it could be sent.")
