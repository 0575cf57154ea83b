"""A real `flask rq-worker` process, SIGKILLed (work horse and all) while its batch's
``PUT /Invoices`` is on its way to Xero: Xero saves the invoices, nobody hears the answer.
After the sweep every invoice is linked to the one copy Xero holds; none is shown failed and
none is sent twice.

Unlike tests/sync/test_lost_answers.py, which writes what a dead worker leaves behind into
the database, this one leaves it to the kill itself: whatever state the rows, RQ's
registries and the Idempotency-Keys are really in at that moment is what the sweep meets."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from tests.sync.push_support import HTMX, text_of
from tests.sync.test_lost_answers import copies_by_reference, invoices, rows, until_settled
from tests.worker_processes import Start, wait_until, worker_processes
from xeroapp.models.types import utcnow
from xeroapp.queue import get_queue, get_redis, queue_names
from xeroapp.sync import sweeper

IN_FLIGHT_SECONDS = 2.0  # how long the sandbox holds each PUT /Invoices before saving it


@pytest.fixture
def real_worker(app, live_sandbox) -> Iterator[Start]:
    with worker_processes(app, live_sandbox.url) as start:
        yield start


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL the worker and every process it started (RQ's work horse, its scheduler):
    no clean-up code of theirs runs."""
    family = {proc.pid, *_descendants(proc.pid)}
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    answer = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                            text=True)
    children = [int(p) for p in answer.stdout.split()]
    return children + [d for child in children for d in _descendants(child)]


def heartbeat_lapsed() -> datetime:
    """When RQ stops counting the dead worker's job as running: its entry in the started
    registry is scored by the last heartbeat's expiry, and nobody beats for it any more."""
    scores = [score for name in queue_names()
              for _, score in get_redis().zrange(get_queue(name).started_job_registry.key, 0, -1,
                                                 withscores=True)]
    assert scores, "the killed job is still in the started registry"
    expiry = datetime.fromtimestamp(max(scores), timezone.utc)
    return max(expiry, utcnow() + sweeper.RUNNING_GRACE) + timedelta(seconds=1)


def test_a_worker_sigkilled_mid_put_leaves_every_invoice_linked_once(
        live_desk, records, app, real_worker):
    desk = live_desk
    ids = invoices(records, desk, 4, numbered=True)
    desk.control("faults", {"latency": IN_FLIGHT_SECONDS, "paths": ["Invoices"]})
    assert desk.client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200

    worker = real_worker()
    # Its clients are in Xero and its rows claimed: the batch's PUT /Invoices is in flight.
    wait_until("the batch's clients to reach Xero", lambda: len(desk.held("contacts")) == 4)
    wait_until("the invoice rows to be claimed",
               lambda: {r.status for r in rows(app, ids.values())} == {"running"})
    time.sleep(IN_FLIGHT_SECONDS / 4)
    sigkill(worker)
    # Xero finishes the call it was given, answering nobody.
    wait_until("Xero to save the killed batch", lambda: len(desk.held("invoices")) == 4)
    killed = rows(app, ids.values())
    assert {r.status for r in killed} == {"running"}  # what the dead worker left
    desk.control("faults", {"latency": 0})

    with app.app_context():  # the sweep, once the dead worker's last heartbeat has lapsed
        report = sweeper.sweep(now=heartbeat_lapsed())
    assert sorted(report.revived) == sorted(r.id for r in killed)
    until_settled(app, desk, ids.values())

    held = copies_by_reference(desk)
    assert sorted(held) == sorted(ids) and all(len(c) == 1 for c in held.values())
    for reference, invoice_id in ids.items():
        (row,) = rows(app, [invoice_id])
        assert row.status == "done", row.error_message
        assert desk.link("invoice", invoice_id).xero_id == held[reference][0]["InvoiceID"]
    page = text_of(desk.client.get("/xero/bulk/invoices", headers=HTMX).get_data(as_text=True))
    assert "4 sent · 0 failed · 0 waiting" in page
