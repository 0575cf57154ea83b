"""POST /webhooks/xero: only Xero's signed deliveries get in; each event is kept once; the
answer is quick, empty and sets no cookie; a Xero user's payment comes back onto the link."""
from __future__ import annotations

import time
from decimal import Decimal

from rq import Queue

from tests.backsync.backsync_support import (KEY, act, changes, control_get, deliver, event,
                                             flush, links, new_guid, payload, sent_invoice, sign,
                                             stored_events)
from tests.xero.xero_support import DEMO_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models import XeroLink
from xeroapp.queue import get_redis
from xeroapp.xero.client import XeroClient


def low_queue_jobs(app) -> list[str]:
    with app.app_context():
        return Queue("xero-low", connection=get_redis()).get_job_ids()


def test_forged_unsigned_or_keyless_deliveries_are_refused_and_nothing_is_kept(desk):
    body = payload([event(new_guid())])
    desk.app.config["XERO_WEBHOOK_KEY"] = KEY
    for signature in (None, "", sign(body, key="some-other-key"), sign(body + b" ")):
        answer = deliver(desk.app, body, signature)
        assert (answer.status_code, answer.data) == (401, b""), signature
    desk.app.config["XERO_WEBHOOK_KEY"] = None  # no key configured: nothing can be verified
    assert deliver(desk.app, body, sign(body)).status_code == 401
    assert stored_events(desk) == [] and low_queue_jobs(desk.app) == []


def test_intent_to_receive_passes_and_the_answer_is_empty_without_a_cookie(desk, hooked):
    shown = control_get(desk, "webhooks")
    assert shown["registration"]["status"] == "OK"
    probes = [d for d in shown["deliveries"] if d["kind"] == "intent_to_receive"]
    assert {(d["signed_correctly"], d["status_code"]) for d in probes} == {(True, 200), (False, 401)}

    body = payload([])
    answer = deliver(desk.app, body, sign(body))
    assert (answer.status_code, answer.data) == (200, b"")
    assert "Set-Cookie" not in answer.headers
    # Nor for a browser that carries a session (its CSRF secret, say): the view saves none.
    browser = desk.app.test_client()
    browser.csrf_token()
    answer = browser.post("/webhooks/xero", data=body, headers={"x-xero-signature": sign(body)},
                          csrf=False)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_payment_in_xero_comes_back_by_webhook(desk, records, hooked):
    invoice_id, xero_id = sent_invoice(desk, records)
    act(desk, "invoices", xero_id, "approve")
    act(desk, "invoices", xero_id, "pay", {"Amount": 115, "Date": "2026-12-03", "Reference": "Bank"})
    flush(desk)
    assert {e.resource_id for e in stored_events(desk)} >= {xero_id}

    desk.drain()

    link = desk.link("invoice", invoice_id)
    assert (link.xero_status, link.xero_amount_paid, link.xero_amount_due) == (
        "PAID", Decimal("115.00"), Decimal("0.00"))
    (payment,) = link.xero_payments
    assert (payment["Date"], payment["Amount"], payment["Reference"]) == ("2026-12-03", "115.00", "Bank")
    assert changes(desk, "invoice", invoice_id) == [("paid", "Paid in Xero: 115.00 on 3 Dec 2026")]
    assert all(e.processed_at is not None for e in stored_events(desk))


def test_later_changes_are_each_recorded_once_and_a_replay_changes_nothing(desk, records, hooked,
                                                                           counted):
    invoice_id, xero_id = sent_invoice(desk, records)
    act(desk, "invoices", xero_id, "approve")
    flush(desk)
    desk.drain()
    assert desk.link("invoice", invoice_id).xero_status == "AUTHORISED"
    # The push kept Xero's DRAFT, so the approval is told from it.
    ((approved, words),) = changes(desk, "invoice", invoice_id)
    assert approved == "approved" and words.startswith("Approved in Xero on ")

    act(desk, "invoices", xero_id, "pay", {"Amount": 15, "Date": "2026-12-01"})
    flush(desk)
    desk.drain()
    payment_id = act(desk, "invoices", xero_id, "pay", {"Date": "2026-12-03"})["Payments"][0]["PaymentID"]
    flush(desk)
    desk.drain()
    act(desk, "invoices", xero_id, "remove_payment", {"PaymentID": payment_id})
    flush(desk)
    desk.drain()
    assert changes(desk, "invoice", invoice_id)[1:] == [
        ("part_paid", "Part paid in Xero: 15.00 on 1 Dec 2026; 100.00 still due"),
        ("paid", "Paid in Xero: 100.00 on 3 Dec 2026"),
        ("payment_removed", "Payment removed in Xero: 100.00 on 3 Dec 2026"),
    ]
    link = desk.link("invoice", invoice_id)
    assert (link.xero_status, link.xero_amount_due) == ("AUTHORISED", Decimal("100.00"))

    # Xero delivers the same events again (a retry): nothing is stored, read or recorded twice.
    replay = payload([event(e.resource_id, e.category, kind=e.event_type,
                            at=e.event_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3])
                      for e in stored_events(desk)])
    before, gets = len(stored_events(desk)), counted.count("GET", "Invoices")
    assert deliver(desk.app, replay, sign(replay)).status_code == 200
    desk.drain()
    assert len(stored_events(desk)) == before
    assert counted.count("GET", "Invoices") == gets
    assert len(changes(desk, "invoice", invoice_id)) == 4


def test_a_push_keeps_the_status_xero_answered(desk, records):
    invoice_id, _ = sent_invoice(desk, records)
    link = desk.link("invoice", invoice_id)
    assert link.xero_status == "DRAFT" and link.xero_updated_at is not None
    assert changes(desk) == []


def test_events_out_of_order_never_move_a_link_back(desk, records, hooked):
    invoice_id, xero_id = sent_invoice(desk, records)
    act(desk, "invoices", xero_id, "approve")
    approved = control_get(desk, f"objects/{DEMO_TENANT_ID}/invoices")["Invoices"][0]
    act(desk, "invoices", xero_id, "pay", {"Date": "2026-12-03"})
    flush(desk)
    desk.drain()
    assert desk.link("invoice", invoice_id).xero_status == "PAID"

    # An older version read late (a slow job, a poll's page read before the payment).
    from xeroapp.backsync import reading
    with desk.app.app_context():
        link = db.session.scalar(db.select(XeroLink).filter_by(record_kind="invoice"))
        assert reading.apply_answer("Invoices", [approved], {xero_id: [link]}) == 0
        db.session.commit()
    assert desk.link("invoice", invoice_id).xero_status == "PAID"
    assert [c for c, _ in changes(desk, "invoice", invoice_id)] == ["paid"]


def test_events_of_an_organisation_not_connected_here_are_ignored(desk):
    desk.app.config["XERO_WEBHOOK_KEY"] = KEY
    body = payload([event(new_guid(), tenant_id=new_guid())])
    answer = deliver(desk.app, body, sign(body))
    assert (answer.status_code, answer.data) == (200, b"")
    assert stored_events(desk) == [] and low_queue_jobs(desk.app) == []


def test_a_flood_of_events_answers_fast_and_reads_in_few_calls(desk, records, counted):
    desk.app.config["XERO_WEBHOOK_KEY"] = KEY
    with desk.app.app_context():
        made = XeroClient.for_workspace(desk.workspace_id).accounting(
            "PUT", "Contacts", json={"Contacts": [{"Name": f"Customer {n}"} for n in range(60)]})
        contact_ids = [c["ContactID"] for c in made["Contacts"]]
        for n, contact_id in enumerate(contact_ids):
            client_id = records.client(desk.workspace_id, name=f"Customer {n}")
            db.session.add(XeroLink(workspace_id=desk.workspace_id, record_kind="client",
                                    record_id=client_id, tenant_id=DEMO_TENANT_ID,
                                    xero_id=contact_id))
        db.session.commit()
    act(desk, "contacts", contact_ids[0], "archive")
    flood = [event(contact_ids[n % 60], "CONTACT", at=f"2026-12-03T01:{n // 60:02d}:{n % 60:02d}.000")
             for n in range(1000)]
    flood += [event(new_guid(), "INVOICE") for _ in range(1000)]  # someone else's invoices
    body = payload(flood)
    counted.calls.clear()

    started = time.monotonic()
    answer = deliver(desk.app, body, sign(body))
    took = time.monotonic() - started

    assert answer.status_code == 200 and took < 5.0  # Xero waits 5 seconds at most
    assert len(stored_events(desk)) == 2000
    assert len(low_queue_jobs(desk.app)) == 1  # one read for the organisation
    desk.drain()
    assert counted.count("GET", "Contacts") <= 3 and counted.count("GET", "Invoices") == 0
    statuses = {link.xero_status for link in links(desk, "client")}
    assert statuses == {"ACTIVE", "ARCHIVED"}
    assert [c for c, _ in changes(desk)] == ["archived"]
