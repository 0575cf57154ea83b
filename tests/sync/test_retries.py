"""How the push engine rides out Xero's limits and faults: our budget's "not before", 429s,
5xx, timeouts and lost answers are retried through RQ's scheduler, with the same
Idempotency-Keys, a bounded number of times; 400s are final.

The scheduler is driven by hand: ``run_scheduled`` does what RQ's scheduler does when a
retry's time comes (the rows' wait is over; the job moves from the ScheduledJobRegistry to
the queue), then drains.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from tests.sync.push_support import DEMO_TENANT_ID, run_scheduled, text_of
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.queue import get_queue, get_redis
from xeroapp.sync import retries
from xeroapp.sync.jobs import retry_job_id
from xeroapp.xero.budget import Budget


def scheduled(app: Flask) -> list[tuple[str, tuple]]:
    with app.app_context():
        queue = get_queue()
        registry = ScheduledJobRegistry(queue=queue)
        return [(job_id, queue.fetch_job(job_id).args) for job_id in registry.get_job_ids()]


def stats(desk) -> dict:
    return desk.control("stats", method="get")["totals"]


# -- our own budget ---------------------------------------------------------------------------
def test_a_spent_budget_reschedules_the_push_without_calling_xero(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    with app.app_context():  # another worker has used this minute's 60 calls
        budget = Budget(get_redis())
        for _ in range(60):
            budget.release(budget.try_acquire(DEMO_TENANT_ID))
    calls_before = stats(desk).get("calls", 0)

    panel = desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind) == ("waiting", "rate_limit")
    assert utcnow() + timedelta(seconds=50) < job.not_before < utcnow() + timedelta(seconds=62)
    assert f"Waiting for Xero's rate limit — resumes at {job.not_before:%H:%M:%S} UTC" in text_of(panel)
    assert stats(desk).get("calls", 0) == calls_before  # nothing reached Xero
    ((retry_id, args),) = scheduled(app)
    assert retry_id == retry_job_id(job.id, 1) and args == (job.id, 0)
    with app.app_context():
        registry = ScheduledJobRegistry(queue=get_queue())
        assert abs((registry.get_scheduled_time(retry_id) - job.not_before).total_seconds()) < 1
        for key in get_redis().scan_iter("xero:budget:*"):  # the minute has passed
            get_redis().delete(key)

    run_scheduled(app, desk.drain)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.attempts, job.rate_limit_waits) == ("done", 1, 1)
    assert len(desk.held("contacts")) == 1


def test_xeros_429_waits_for_retry_after_then_succeeds(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["429"], "retry_after": 45})

    desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind) == ("waiting", "rate_limit")
    assert utcnow() + timedelta(seconds=40) < job.not_before < utcnow() + timedelta(seconds=46)
    assert [job_id for job_id, _ in scheduled(app)] == [retry_job_id(job.id, 1)]

    run_scheduled(app, desk.drain)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.attempts, job.rate_limit_waits) == ("done", 1, 1)
    assert len(desk.held("contacts")) == 1 and stats(desk)["rate_limited"] == 1


# -- passing faults ---------------------------------------------------------------------------
def test_503_is_retried_after_a_backoff_and_then_succeeds(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["503"]})

    desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.attempts) == ("waiting", "unreachable", 1)
    low, high = retries.BASE_DELAY * (1 - retries.JITTER), retries.BASE_DELAY * (1 + retries.JITTER)
    assert utcnow() + timedelta(seconds=low - 2) < job.not_before < utcnow() + timedelta(seconds=high)
    assert "Xero could not be reached" in job.error_message
    assert f"Trying again at {job.not_before:%H:%M:%S} UTC (attempt 2 of 5)" in job.error_message
    assert scheduled(app) == [(retry_job_id(job.id, 1), (job.id, 1))]
    assert desk.held("contacts") == []
    panel = text_of(desk.panel("client", client_id))
    assert "Retrying shortly" in panel and "Xero could not be reached" in panel
    assert "rate limit" not in panel

    run_scheduled(app, desk.drain)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.attempts, job.error_message) == ("done", 2, None)
    assert len(desk.held("contacts")) == 1 and "In Xero" in text_of(desk.panel("client", client_id))


def test_an_answer_lost_after_xero_saved_is_replayed_on_retry_not_duplicated(live_desk, records, app):
    desk = live_desk
    invoice_id = records.invoice(desk.workspace_id, number="INV-0077")
    # the contact lookup, the contact create, then the invoice create whose answer is lost
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})

    desk.send("invoice", invoice_id)

    (first,) = desk.jobs("invoice", invoice_id)
    assert (first.status, first.error_kind) == ("waiting", "unreachable")
    assert len(desk.held("invoices")) == 1  # Xero did save it

    run_scheduled(app, desk.drain)

    (job,) = desk.jobs("invoice", invoice_id)
    assert job.status == "done" and job.idempotency_key == first.idempotency_key
    assert len(desk.held("invoices")) == 1 and len(desk.held("contacts")) == 1
    assert stats(desk)["replays"] >= 1  # the same key: Xero answered from its record
    assert desk.link("invoice", invoice_id).xero_id == desk.held("invoices")[0]["InvoiceID"]


def test_retries_are_bounded_and_end_failed_with_plain_words(live_desk, records, app):
    desk = live_desk
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["500", "502", "504", "timeout", "503"], "timeout_seconds": 0.2})

    desk.send("client", client_id)
    for _ in range(retries.MAX_ATTEMPTS - 1):
        assert desk.jobs("client", client_id)[0].status == "waiting"
        run_scheduled(app, desk.drain)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.attempts) == ("failed", "unreachable", 5)
    assert job.error_message.startswith("Xero could not be reached after 5 attempts")
    assert scheduled(app) == []  # no sixth attempt
    panel = text_of(desk.panel("client", client_id))
    assert "Xero could not be reached after 5 attempts" in panel and "Try again" in panel
    assert desk.held("contacts") == []
    with app.app_context():  # RQ records the final failure too
        assert len(FailedJobRegistry(queue=get_queue())) == 1

    panel = desk.send("client", client_id)  # Try again
    assert len(desk.held("contacts")) == 1 and "In Xero" in text_of(panel)


# -- final answers and tokens -----------------------------------------------------------------
def test_a_validation_error_is_final(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café", email="not-an-email")

    desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.attempts) == ("failed", "validation", 1)
    assert scheduled(app) == []


def test_a_token_xero_expired_early_is_refreshed_once_and_the_push_goes_on(desk, records):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("clock", {"advance": 1900})  # Xero's clock: our stored token is dead

    desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert stats(desk)["token.refresh_token"] == 1 and len(desk.held("contacts")) == 1


@pytest.mark.parametrize("failures", [1, 2, 3, 4])
def test_backoff_doubles_within_its_jitter(failures):
    base = retries.BASE_DELAY * 2 ** (failures - 1)
    delays = [retries.delay(failures) for _ in range(50)]
    assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
    assert len(set(delays)) > 1  # jittered, so an outage's retries do not come back together


def test_retry_message_reads_in_the_workspace_time_zone(desk, records, app):
    """The worker writes the message; a person in Auckland reads it: their clock, not UTC."""
    from zoneinfo import ZoneInfo

    from xeroapp.models import Workspace

    with app.app_context():
        db.session.get(Workspace, desk.workspace_id).time_zone = "Pacific/Auckland"
        db.session.commit()
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["503"]})

    desk.send("client", client_id)

    (job,) = desk.jobs("client", client_id)
    local = job.not_before.astimezone(ZoneInfo("Pacific/Auckland"))
    assert local.strftime("%Z") in ("NZDT", "NZST")
    assert f"Trying again at {local:%H:%M:%S %Z} (attempt 2 of 5)" in job.error_message
