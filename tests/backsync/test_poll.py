"""Polling and Check Xero now: what webhooks never carry (purchase orders) and what a missed
delivery lost come back; the routes are CSRF-protected and workspace-owned."""
from __future__ import annotations

from decimal import Decimal

from tests.backsync.backsync_support import act, changes, control_get, sent_invoice, set_defaults
from tests.sync.push_support import HTMX
from tests.xero.xero_support import DEMO_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models.xero_side import PollMark


def check_now(desk, path: str = "/xero/check", **options):
    answer = desk.client.post(path, headers=HTMX, **options)
    return answer


def sent_order(desk, records) -> tuple[int, str]:
    set_defaults(desk)
    order_id = records.purchase_order(desk.workspace_id)
    desk.send("purchase_order", order_id)
    link = desk.link("purchase_order", order_id)
    assert link is not None
    return order_id, link.xero_id


def marks(desk) -> dict[str, object]:
    with desk.app.app_context():
        return {m.resource: m.modified_since for m in db.session.scalars(db.select(PollMark))}


def test_polling_catches_a_purchase_order_approved_in_xero(desk, records, counted):
    order_id, xero_id = sent_order(desk, records)
    answer = check_now(desk)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "xeroPanelRefresh"
    assert "Checking Xero now" in answer.get_data(as_text=True)
    desk.drain()
    assert desk.link("purchase_order", order_id).xero_status == "DRAFT"
    first_marks = marks(desk)
    assert first_marks["PurchaseOrders"] is not None

    act(desk, "purchaseorders", xero_id, "submit")
    act(desk, "purchaseorders", xero_id, "authorise")
    counted.calls.clear()
    check_now(desk)
    desk.drain()

    assert desk.link("purchase_order", order_id).xero_status == "AUTHORISED"
    assert [c for c, _ in changes(desk, "purchase_order", order_id)] == ["approved"]
    assert marks(desk)["PurchaseOrders"] > first_marks["PurchaseOrders"]
    sent = [r for r in counted.sent if r.method == "GET" and r.url.path.endswith("/PurchaseOrders")]
    assert sent and all("If-Modified-Since" in r.headers for r in sent)

    check_now(desk)  # nothing new since: nothing recorded twice
    desk.drain()
    assert [c for c, _ in changes(desk, "purchase_order", order_id)] == ["approved"]


def test_polling_catches_a_payment_whose_webhook_was_missed(desk, records, hooked):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control("webhooks", method="delete")  # the app was down: Xero gave up on it
    act(desk, "invoices", xero_id, "approve")
    act(desk, "invoices", xero_id, "pay", {"Date": "2026-12-03"})
    assert control_get(desk, "webhooks")["registration"] is None

    check_now(desk)
    desk.drain()

    link = desk.link("invoice", invoice_id)
    assert (link.xero_status, link.xero_amount_due) == ("PAID", Decimal("0.00"))
    assert changes(desk, "invoice", invoice_id) == [("paid", "Paid in Xero: 115.00 on 3 Dec 2026")]


def test_check_one_record_reads_it_by_id(desk, records, counted):
    invoice_id, xero_id = sent_invoice(desk, records)
    act(desk, "invoices", xero_id, "approve")
    act(desk, "invoices", xero_id, "void")
    counted.calls.clear()

    answer = check_now(desk, f"/xero/invoice/{invoice_id}/check")
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "xeroPanelRefresh"
    desk.drain()

    assert desk.link("invoice", invoice_id).xero_status == "VOIDED"
    assert [c for c, _ in changes(desk, "invoice", invoice_id)] == ["voided"]
    assert [(m, p) for m, p, _ in counted.calls] == [("GET", f"/api.xro/2.0/Invoices/{xero_id}")]


def test_check_routes_need_the_csrf_token_and_the_workspace_own_record(desk, records, app):
    invoice_id, _ = sent_invoice(desk, records)
    assert desk.client.post("/xero/check", headers=HTMX, csrf=False).status_code == 400
    assert desk.client.post(f"/xero/invoice/{invoice_id}/check", csrf=False).status_code == 400
    other = records.workspace()
    theirs = records.invoice(other, number="INV-9000")
    assert check_now(desk, f"/xero/invoice/{theirs}/check").status_code == 404
    assert check_now(desk, "/xero/invoice/999999/check").status_code == 404

    plain = desk.client.post(f"/xero/invoice/{invoice_id}/check")  # without htmx
    assert plain.status_code == 302 and plain.headers["Location"].endswith("tab=xero")

    not_linked = records.invoice(desk.workspace_id, number="INV-0077")
    answer = check_now(desk, f"/xero/invoice/{not_linked}/check")
    assert "Not in Xero yet" in answer.get_data(as_text=True) and "HX-Trigger" not in answer.headers

    anonymous = app.test_client()
    assert anonymous.post("/xero/check").status_code == 302  # to log in


def test_a_poll_leaves_the_last_calls_of_a_minute_to_pushes(desk, records, counted):
    from rq.registry import ScheduledJobRegistry

    from xeroapp.backsync.reading import RESERVED_FOR_PUSHES
    from xeroapp.queue import get_queue
    from xeroapp.xero.budget import PER_MINUTE
    from xeroapp.xero.client import _budget

    order_id, xero_id = sent_order(desk, records)
    act(desk, "purchaseorders", xero_id, "submit")
    with desk.app.app_context():  # pushes took all but the reserve of this minute
        budget = _budget()
        while budget.minute_left(DEMO_TENANT_ID) > RESERVED_FOR_PUSHES:
            budget.release(budget.acquire(DEMO_TENANT_ID))
        assert budget.minute_left(DEMO_TENANT_ID) < PER_MINUTE
    counted.calls.clear()

    check_now(desk)
    desk.drain()

    assert counted.calls == [] and desk.link("purchase_order", order_id).xero_status == "DRAFT"
    with desk.app.app_context():
        later = ScheduledJobRegistry(queue=get_queue("xero-low")).get_job_ids()
    assert later == [f"xero-poll-{desk.workspace_id}-later"]


def test_the_periodic_tick_polls_every_organisation_and_reads_events_left_unread(desk, records):
    from datetime import timedelta

    from rq.registry import ScheduledJobRegistry

    from tests.backsync.backsync_support import new_guid
    from xeroapp.backsync import poll
    from xeroapp.models.types import utcnow
    from xeroapp.models.xero_side import WebhookEvent
    from xeroapp.queue import get_queue

    invoice_id, xero_id = sent_invoice(desk, records)
    act(desk, "invoices", xero_id, "approve")
    act(desk, "invoices", xero_id, "pay", {"Date": "2026-12-03"})
    with desk.app.app_context():  # an event whose own job was lost (Redis was down)
        db.session.add(WebhookEvent(tenant_id=DEMO_TENANT_ID, category="INVOICE",
                                    resource_id=xero_id, event_type="UPDATE", event_at=utcnow(),
                                    received_at=utcnow() - timedelta(minutes=5)))
        db.session.add(WebhookEvent(tenant_id=DEMO_TENANT_ID, category="INVOICE",
                                    resource_id=new_guid(), event_type="UPDATE",
                                    event_at=utcnow(), received_at=utcnow()))
        assert poll.ensure_periodic_poll() is True
        assert poll.ensure_periodic_poll() is False  # one chain, however many workers
        queue = get_queue("xero-low")
        assert [j.func_name for j in queue.get_jobs()] == [poll.TICK_FUNCTION]

    desk.drain()

    with desk.app.app_context():
        unread = db.session.scalars(db.select(WebhookEvent).where(
            WebhookEvent.processed_at.is_(None))).all()
        scheduled = ScheduledJobRegistry(queue=get_queue("xero-low")).get_job_ids()
    assert unread == []  # the tick's read took the fresh one along
    assert len(scheduled) == 1 and scheduled[0].startswith(poll.TICK_JOB_PREFIX)
    assert desk.link("invoice", invoice_id).xero_status == "PAID"
    assert [c for c, _ in changes(desk, "invoice", invoice_id)] == ["paid"]
