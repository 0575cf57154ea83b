"""A create that reached Xero while its answer never came back (the response lost after Xero
committed, the worker killed mid-call) is recognised as ours on every later path and linked,
never refused and never duplicated: the sweeper re-sends a batch's rows as that same batch,
with the same Idempotency-Key, so Xero replays; past the key's lifetime the number clash
(numbered invoices) or the content lookup (invoices Xero numbers) finds our copy.

Through the bulk routes and the panel's Send, the worker, the sweeper and a live sandbox
(a dropped connection must reach us as a network error). Every request to Xero is recorded,
to compare the keys the re-sends went with."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from rq.registry import ScheduledJobRegistry

from tests.sync.push_support import DEMO_TENANT_ID, HTMX, run_scheduled, text_of
from xeroapp.extensions import db
from xeroapp.models import InvoiceLine, Workspace
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob
from xeroapp.queue import get_queue, queue_names
from xeroapp.sync import sweeper
from xeroapp.sync.bulk import runs as bulk

KEY_LIFETIME = 6 * 60  # seconds Xero keeps an Idempotency-Key's answer


class RecordingTransport(httpx.BaseTransport):
    """The network, plus a note of every request: (method, path, Idempotency-Key, body)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str, str | None, dict | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read() or b"null")
        self.sent.append((request.method, request.url.path, request.headers.get("Idempotency-Key"),
                          body))
        return self.inner.handle_request(request)

    def close(self) -> None:  # each batch closes its client; the recording outlives them
        pass

    def create_keys(self, reference: str) -> list[str | None]:
        """The keys of every PUT /Invoices that carried the invoice with this Reference."""
        return [key for method, path, key, body in self.sent
                if method == "PUT" and path.endswith("/Invoices")
                and any(i.get("Reference") == reference for i in (body or {}).get("Invoices", []))]


@pytest.fixture
def recorded(live_desk):
    transport = RecordingTransport()
    live_desk.app.config["XERO_HTTP_TRANSPORT"] = transport
    yield transport
    transport.inner.close()


def let_xero_number(desk) -> None:
    with desk.app.app_context():
        db.session.get(Workspace, desk.workspace_id).document_numbering = "xero"
        db.session.commit()


def invoices(records, desk, count: int, numbered: bool) -> dict[str, int]:
    """Reference -> invoice id; each for its own client, numbered INV-0001... or not."""
    made = {}
    for n in range(1, count + 1):
        client_id = records.client(desk.workspace_id, name=f"Client {n}")
        made[f"job {n}"] = records.invoice(
            desk.workspace_id, number=f"INV-{n:04}" if numbered else None, client_id=client_id,
            reference=f"job {n}", issue_date=date(2026, 11, n), lines=[
                InvoiceLine(description=f"Work {n}", quantity=Decimal(n), unit_price=Decimal("10"),
                            account_code="200")])
    return made


def rows(app, record_ids, kind: str = "invoice") -> list[PushJob]:
    with app.app_context():
        found = list(db.session.scalars(db.select(PushJob).where(
            PushJob.record_kind == kind, PushJob.record_id.in_(list(record_ids)))
            .order_by(PushJob.id)))
        for row in found:
            db.session.expunge(row)
        return found


def worker_died(app, row_ids: list[int]) -> None:
    """What a worker SIGKILLed in the middle of the call leaves: its rows ``running`` since
    minutes ago, and no retry scheduled for them (it never got to schedule one)."""
    with app.app_context():
        db.session.execute(db.update(PushJob).where(PushJob.id.in_(row_ids)).values(
            status="running", not_before=None, error_kind=None, error_message=None,
            started_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        for name in queue_names():
            queue = get_queue(name)
            registry = ScheduledJobRegistry(queue=queue)
            for job_id in registry.get_job_ids():
                job = queue.fetch_job(job_id)
                carried = job.args[1] if job.func_name == bulk.BATCH_FUNCTION else [job.args[0]]
                if set(carried) & set(row_ids):
                    registry.remove(job_id)
                    job.delete()


def sweep(app) -> sweeper.SweepReport:
    with app.app_context():
        return sweeper.sweep(now=utcnow() + timedelta(minutes=2))


def until_settled(app, desk, record_ids, kind: str = "invoice") -> None:
    """Drain, then let every scheduled retry's time come, until no push is pending."""
    desk.drain()
    for _ in range(8):
        if not any(r.status in PENDING_PUSH_STATUSES for r in rows(app, record_ids, kind)):
            return
        run_scheduled(app, desk.drain)
    left = [(r.id, r.status, r.error_message) for r in rows(app, record_ids, kind)]
    pytest.fail(f"still pending: {left}")


def copies_by_reference(desk) -> dict[str, list[dict]]:
    held: dict[str, list[dict]] = {}
    for invoice in desk.held("invoices"):
        held.setdefault(invoice.get("Reference"), []).append(invoice)
    return held


def fault(kind: str) -> dict:
    return {"next": [kind], "retry_after": 5}


# -- the chaos run's sequence, through Send all not in Xero -------------------------------------
@pytest.mark.parametrize("fault_kind", ["500", "429"])
@pytest.mark.parametrize("key", ["kept", "expired"])
@pytest.mark.parametrize("numbering", ["numbered", "xero"])
def test_a_killed_batch_is_re_sent_as_the_same_batch_and_ends_linked(
        live_desk, recorded, records, app, monkeypatch, numbering, key, fault_kind):
    desk = live_desk
    monkeypatch.setattr(bulk, "BATCH_SIZE", 3)  # two batches, as a run of 150 has three
    if numbering == "xero":
        let_xero_number(desk)
    ids = invoices(records, desk, 6, numbered=numbering == "numbered")
    # Batch 1: its clients, then a 500 on its invoices (nothing saved): it backs off.
    # Batch 2: its clients, then its invoices, saved by Xero, the answer lost.
    desk.control("faults", {"next": ["ok", "500", "ok", "lost_response"]})

    assert desk.client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200
    desk.drain()

    killed = rows(app, ids.values())[3:]
    assert len(desk.held("invoices")) == 3  # batch 2's, saved
    first_key = killed[0].idempotency_key
    assert first_key and {r.idempotency_key for r in killed} == {first_key}
    worker_died(app, [r.id for r in killed])  # ... as if killed while that call was in flight
    if key == "expired":
        desk.control("clock", {"advance": KEY_LIFETIME + 60})
    # The re-send meets a fault (with the key kept the re-send is a replay, which never
    # meets an injected fault in the sandbox: the fault then falls on the next real call).
    desk.control("faults", fault(fault_kind))

    report = sweep(app)
    assert sorted(report.revived) == [r.id for r in killed]
    run_scheduled(app, lambda: None)  # batch 1's back-off is over too, as in the chaos run
    until_settled(app, desk, ids.values())

    held = copies_by_reference(desk)
    assert sorted(held) == sorted(ids) and all(len(c) == 1 for c in held.values()), held.keys()
    for reference, invoice_id in ids.items():
        (row,) = rows(app, [invoice_id])
        assert row.status == "done", row.error_message
        assert desk.link("invoice", invoice_id).xero_id == held[reference][0]["InvoiceID"]
        # one key per invoice's create, whichever path sent it again
        assert len(set(recorded.create_keys(reference))) == 1, recorded.create_keys(reference)
    for reference in ("job 4", "job 5", "job 6"):
        assert recorded.create_keys(reference)[0] == first_key
    replays = desk.control("stats", method="get")["totals"].get("replays", 0)
    if key == "kept" and numbering == "numbered":
        assert replays == 1 and len(recorded.create_keys("job 4")) == 2  # re-sent, replayed
    page = text_of(desk.client.get("/xero/bulk/invoices", headers=HTMX).get_data(as_text=True))
    assert "6 sent · 0 failed · 0 waiting" in page


# -- a single Send -----------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["kept", "expired"])
@pytest.mark.parametrize("numbering", ["numbered", "xero"])
def test_a_single_send_whose_answer_was_lost_is_linked_after_the_sweep(
        live_desk, recorded, records, app, numbering, key):
    desk = live_desk
    if numbering == "xero":
        let_xero_number(desk)
    ids = invoices(records, desk, 1, numbered=numbering == "numbered")
    # the contact lookup, the contact create, then the invoice create whose answer is lost
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})

    desk.send("invoice", ids["job 1"])

    (first,) = rows(app, ids.values())
    assert len(desk.held("invoices")) == 1
    worker_died(app, [first.id])
    if key == "expired":
        desk.control("clock", {"advance": KEY_LIFETIME + 60})
    desk.control("faults", fault("500"))

    assert sweep(app).revived == [first.id]
    until_settled(app, desk, ids.values())

    (row,) = rows(app, ids.values())
    (copy,) = desk.held("invoices")
    assert row.status == "done" and row.id == first.id, row.error_message
    assert desk.link("invoice", ids["job 1"]).xero_id == copy["InvoiceID"]
    assert len(set(recorded.create_keys("job 1"))) == 1
    assert "In Xero" in text_of(desk.panel("invoice", ids["job 1"]))


def test_a_new_send_after_a_failed_one_reuses_its_key(live_desk, recorded, records, app):
    """Retry after "could not be reached" (a new push row) while Xero still keeps the first
    try's key: the create goes with the key of the try whose answer never came."""
    desk = live_desk
    ids = invoices(records, desk, 1, numbered=True)
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})
    desk.send("invoice", ids["job 1"])
    (first,) = rows(app, ids.values())
    with app.app_context():  # it gave up (replays of a real Xero can fail too)
        db.session.execute(db.update(PushJob).where(PushJob.id == first.id).values(
            status="failed", error_kind="unreachable", not_before=None,
            error_message="Xero could not be reached after 5 attempts."))
        db.session.commit()

    desk.send("invoice", ids["job 1"])  # the panel's Send again

    old, new = rows(app, ids.values())
    assert new.status == "done" and new.idempotency_key == old.idempotency_key
    (copy,) = desk.held("invoices")
    assert desk.link("invoice", ids["job 1"]).xero_id == copy["InvoiceID"]
    assert len(recorded.create_keys("job 1")) == 2 and len(set(recorded.create_keys("job 1"))) == 1
    assert desk.control("stats", method="get")["totals"].get("replays", 0) == 1


# -- an unnumbered copy that cannot be told apart is not guessed ---------------------------------
def test_twin_copies_of_an_unnumbered_invoice_are_not_guessed_but_reported(
        live_desk, recorded, records, app):
    desk = live_desk
    let_xero_number(desk)
    ids = invoices(records, desk, 1, numbered=False)
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})
    desk.send("invoice", ids["job 1"])
    (first,) = rows(app, ids.values())
    (saved,) = desk.held("invoices")
    with app.app_context():  # a second, identical copy made by this app (a double re-send)
        from xeroapp.xero.client import XeroClient
        twin = {k: saved[k] for k in ("Type", "Reference", "LineAmountTypes")}
        twin.update(Contact={"ContactID": saved["Contact"]["ContactID"]},
                    Date=saved["DateString"][:10],
                    LineItems=[{k: line[k] for k in ("Description", "Quantity", "UnitAmount",
                                                     "AccountCode")}
                               for line in saved["LineItems"]])
        XeroClient.for_workspace(desk.workspace_id).accounting("PUT", "Invoices",
                                                               json={"Invoices": [twin]})
    desk.control("clock", {"advance": KEY_LIFETIME + 60})
    worker_died(app, [first.id])

    sweep(app)
    until_settled(app, desk, ids.values())

    (row,) = rows(app, ids.values())
    assert row.status == "failed" and desk.link("invoice", ids["job 1"]) is None
    assert "Xero holds 2 open invoices for Client 1 that match it" in row.error_message
    assert "Check the open invoices for Client 1 in Xero" in row.error_message
    assert len(desk.held("invoices")) == 2  # nothing added, nothing overwritten


# -- contacts adopted by name ----------------------------------------------------------------------
def test_a_re_sent_batch_keeps_the_spelling_of_a_contact_it_adopted(live_desk, records, app):
    """The adoption reached Xero (our ContactNumber now on their contact), its answer did not;
    the key has expired when the batch goes again: their contact is not renamed to ours."""
    desk = live_desk
    theirs = desk.add_contact("BAYSIDE CAFÉ", EmailAddress="old@bayside.example")
    ids = [records.client(desk.workspace_id, name=name, email=f"{n}@new.example")
           for n, name in enumerate(("Bayside Café", "Harbour Books"))]
    # the batch (Bayside refused: the name is taken), the lookup by name, the adoption: lost
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX).status_code == 200
    desk.drain()
    assert {c["ContactID"]: c for c in desk.held("contacts")}[theirs]["ContactNumber"] == f"XA-C-{ids[0]}"
    desk.control("clock", {"advance": KEY_LIFETIME + 60})

    until_settled(app, desk, ids, "client")

    held = {c["ContactID"]: c for c in desk.held("contacts")}
    assert len(held) == 2 and held[theirs]["Name"] == "BAYSIDE CAFÉ"
    assert held[theirs]["EmailAddress"] == "0@new.example"
    assert desk.link("client", ids[0]).xero_id == theirs and desk.link("client", ids[1]) is not None
    assert [r.status for r in rows(app, ids, "client")] == ["done", "done"]


def test_a_re_sent_single_send_keeps_the_spelling_of_a_contact_it_adopted(live_desk, records, app):
    desk = live_desk
    theirs = desk.add_contact("BAYSIDE CAFÉ")
    client_id = records.client(desk.workspace_id, name="Bayside Café", email="new@bayside.example")
    desk.control("faults", {"next": ["ok", "lost_response"]})  # the lookup, the adoption: lost
    desk.send("client", client_id)
    desk.control("clock", {"advance": KEY_LIFETIME + 60})

    until_settled(app, desk, [client_id], "client")

    (contact,) = desk.held("contacts")
    assert contact["ContactID"] == theirs and contact["Name"] == "BAYSIDE CAFÉ"
    assert contact["EmailAddress"] == "new@bayside.example"
    assert desk.link("client", client_id).xero_id == theirs


# -- a purchase order Xero numbers ---------------------------------------------------------------
def test_an_unnumbered_purchase_order_whose_answer_was_lost_is_found_after_the_keys_lifetime(
        live_desk, recorded, records, app):
    desk = live_desk
    let_xero_number(desk)
    order_id = records.purchase_order(desk.workspace_id, number=None, reference="PO for job 1")
    # the supplier's lookup and create, then the order's create whose answer is lost
    desk.control("faults", {"next": ["ok", "ok", "lost_response"]})

    desk.send("purchase_order", order_id)

    (first,) = rows(app, [order_id], "purchase_order")
    orders = desk.control(f"objects/{DEMO_TENANT_ID}/purchaseorders", method="get")["PurchaseOrders"]
    assert len(orders) == 1  # Xero saved it
    worker_died(app, [first.id])
    desk.control("clock", {"advance": KEY_LIFETIME + 60})
    desk.control("faults", fault("500"))

    assert sweep(app).revived == [first.id]
    until_settled(app, desk, [order_id], "purchase_order")

    (row,) = rows(app, [order_id], "purchase_order")
    (copy,) = desk.control(f"objects/{DEMO_TENANT_ID}/purchaseorders", method="get")["PurchaseOrders"]
    assert row.status == "done", row.error_message
    assert desk.link("purchase_order", order_id).xero_id == copy["PurchaseOrderID"]
