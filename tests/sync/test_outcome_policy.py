"""One outcome policy (sync/classify.py) for the single push and the bulk batch: the same
exception leaves the same row behind and is re-raised (or not) the same way by both."""
from __future__ import annotations

import pytest
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from tests.sync.push_support import HTMX, run_scheduled
from xeroapp.extensions import db
from xeroapp.models import Client, PushJob
from xeroapp.queue import get_queue
from xeroapp.sync.bulk.lanes import BULK_QUEUE
from xeroapp.sync import jobs as single_jobs
from xeroapp.sync import retries
from xeroapp.sync.bulk import jobs as bulk_jobs
from xeroapp.sync.classify import classify
from xeroapp.sync.outcomes import AmbiguousContact, LockedInXero
from xeroapp.xero.errors import (ElementErrors, NotConnected, QueryTooLong, RateLimited,
                                 ReconnectRequired, TransportError, Unavailable, ValidationError)


def refused() -> ValidationError:
    return ValidationError("A validation exception occurred",
                           [ElementErrors(0, ["Email address must be valid."])])


# (exception, failures so far, row status, error_kind, re-raised)
CASES = [
    (RateLimited("429", retry_after=30, problem="minute"), 0, "waiting", "rate_limit", False),
    (TransportError("Could not reach Xero."), 0, "waiting", "unreachable", False),
    (Unavailable("503", status=503), retries.MAX_ATTEMPTS - 1, "failed", "unreachable", True),
    (TransportError("Could not reach Xero."), retries.MAX_ATTEMPTS - 1, "failed", "unreachable",
     True),
    (ReconnectRequired("grant revoked"), 0, "waiting", "reconnect", False),
    (NotConnected("not connected"), 0, "waiting", "reconnect", False),
    (LockedInXero("invoice", "AUTHORISED"), 0, "failed", "locked", False),
    (QueryTooLong("too long"), 0, "failed", "unreachable", False),
    (refused(), 0, "failed", "validation", True),
    (RuntimeError("a bug"), 0, "failed", "unreachable", True),
]
IDS = [f"{type(case[0]).__name__}-after-{case[1]}" for case in CASES]


@pytest.mark.parametrize("exc, failures, status, kind, reraise", CASES, ids=IDS)
def test_classify_decides_once(exc, failures, status, kind, reraise):
    outcome = classify(exc, record_kind="client", action="send", failures=failures)
    assert (outcome.status, outcome.kind, outcome.reraise) == (status, kind, reraise)
    assert outcome.waits == (status == "waiting" and kind != "reconnect")
    if status == "failed":
        assert outcome.message  # plain words for the panel, never empty


def test_an_ambiguous_contact_carries_its_candidates():
    candidates = [{"ContactID": "a", "Name": "Bayside"}, {"ContactID": "b", "Name": "Bayside"}]
    outcome = classify(AmbiguousContact("Bayside", candidates), record_kind="client",
                       action="send", failures=0)
    assert (outcome.status, outcome.choices, outcome.reraise) == ("ambiguous", candidates, False)


def raising(exc: Exception):
    def push(*_args):
        raise exc
    return push


def run_single(desk, records, app, monkeypatch, exc, failures) -> None:
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    assert desk.press("client", client_id).status_code == 200
    (row,) = desk.jobs("client", client_id)
    monkeypatch.setitem(single_jobs.PUSHERS, "client", (Client, raising(exc)))
    with app.app_context():
        single_jobs.run_push_job(row.id, failures)


def run_batch(desk, records, app, monkeypatch, exc, failures) -> None:
    for n in range(3):
        records.client(desk.workspace_id, name=f"Client {n}")
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX).status_code == 200
    monkeypatch.setitem(bulk_jobs.SENDERS, "client", raising(exc))
    with app.app_context():
        batch = list(db.session.scalars(db.select(PushJob).where(
            PushJob.bulk_push_id.is_not(None)).order_by(PushJob.id)))
        bulk_jobs.run_bulk_batch(batch[0].bulk_push_id, [row.id for row in batch], failures)


def rows(app, *, bulk: bool) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        db.session.expire_all()
        return [(row.status, row.error_kind, row.error_message)
                for row in db.session.scalars(db.select(PushJob).where(
                    PushJob.bulk_push_id.is_not(None) if bulk else PushJob.bulk_push_id.is_(None)))]


@pytest.mark.parametrize("exc, failures, status, kind, reraise", CASES, ids=IDS)
def test_a_single_push_and_a_batch_end_the_same_way(desk, records, app, monkeypatch,
                                                    exc, failures, status, kind, reraise):
    for run in (run_single, run_batch):
        if reraise:  # re-raised for RQ, after the rows were written and committed
            with pytest.raises(type(exc)):
                run(desk, records, app, monkeypatch, exc, failures)
        else:
            run(desk, records, app, monkeypatch, exc, failures)

    ((single_status, single_kind, single_message),) = rows(app, bulk=False)
    batch = rows(app, bulk=True)
    assert (single_status, single_kind) == (status, kind)
    assert len(batch) >= 3 and {(s, k) for s, k, _ in batch} == {(status, kind)}
    if not (status == "waiting" and kind != "reconnect"):  # a timed wait names its own time
        assert {message for _, _, message in batch} == {single_message}


def test_a_batch_whose_retries_run_out_fails_every_row_and_rq_records_it(desk, records, app):
    """The decision for bulk when retries run out, as for a single push: every row ``failed``
    with the plain words, no further attempt, and the batch job failed in RQ."""
    for n in range(3):
        records.client(desk.workspace_id, name=f"Client {n}")
    desk.control("faults", {"next": ["500", "502", "504", "503", "500"]})
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX).status_code == 200
    desk.drain()
    for _ in range(retries.MAX_ATTEMPTS - 1):
        with app.app_context():
            assert {row.status for row in db.session.scalars(db.select(PushJob))} == {"waiting"}
        run_scheduled(app, desk.drain)

    with app.app_context():
        found = list(db.session.scalars(db.select(PushJob)))
        assert {(row.status, row.error_kind) for row in found} == {("failed", "unreachable")}
        assert all(row.error_message.startswith("Xero could not be reached after 5 attempts")
                   for row in found)
        assert len(ScheduledJobRegistry(queue=get_queue(BULK_QUEUE))) == 0  # no sixth attempt
        assert len(FailedJobRegistry(queue=get_queue(BULK_QUEUE))) == 1  # RQ records the batch's failure
    assert desk.held("contacts") == []
