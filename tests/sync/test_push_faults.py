"""How a push meets Xero's limits and failures: waits, says so, and can be resumed."""
from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.registry import ScheduledJobRegistry

from tests.sync.push_support import text_of, waits_over
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.queue import get_queue
from xeroapp.sync.jobs import retry_job_id
from xeroapp.sync.reconnect import RECONNECT_REASON


def test_rate_limit_waits_shows_the_resume_time_and_is_retried(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["429"], "retry_after": 30})

    panel = desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert job.status == "waiting" and job.error_kind == "rate_limit"
    assert utcnow() + timedelta(seconds=20) < job.not_before < utcnow() + timedelta(seconds=40)
    text = text_of(panel)
    assert f"Waiting for Xero's rate limit — resumes at {job.not_before:%H:%M:%S} UTC" in text
    assert 'hx-trigger="load delay:1s"' in panel  # keeps watching until it resumes
    assert desk.held("contacts") == []

    with app.app_context():
        queue: Queue = get_queue()
        registry = ScheduledJobRegistry(queue=queue)
        retry_id = retry_job_id(job.id, 1)
        assert registry.get_job_ids() == [retry_id]
        scheduled_at = registry.get_scheduled_time(retry_id)
        assert abs((scheduled_at - job.not_before).total_seconds()) < 1
    waits_over(app)
    with app.app_context():
        queue.enqueue_job(queue.fetch_job(retry_id))  # what the scheduler does at that time
    desk.drain()

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.attempts, job.rate_limit_waits) == ("done", 1, 1)
    assert len(desk.held("contacts")) == 1


def test_lost_grant_parks_the_push_until_reconnected(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    with app.app_context():  # Xero no longer honours the grant: the refresh is refused
        connection = db.session.scalar(db.select(XeroConnection))
        connection.refresh_token = "revoked-at-xero"
        connection.access_token_expires_at = utcnow()
        db.session.commit()

    panel = desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.error_message) == ("waiting", "reconnect",
                                                               RECONNECT_REASON)
    assert "Xero needs reconnecting" in text_of(panel)
    assert desk.held("contacts") == []


def test_click_while_reconnect_is_needed_is_recorded_and_waits(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    with app.app_context():
        db.session.scalar(db.select(XeroConnection)).needs_reconnect = True
        db.session.commit()

    answer = desk.press("client", client_id)

    assert answer.status_code == 200 and "Waiting for reconnection" in answer.get_data(as_text=True)
    (job,) = desk.jobs("client", client_id)
    assert job.status == "waiting"
    with app.app_context():
        assert get_queue().count == 0
