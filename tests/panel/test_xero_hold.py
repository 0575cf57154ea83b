"""The Xero tab of an invoice once Xero's side has been read back onto its link: what Xero
still takes and why, no blind Update, and Send again as new / Unlink for a voided or deleted
one. Xero's side is driven through the sandbox's Xero-user actions and the link holds what
reading it back would record."""
from __future__ import annotations

from decimal import Decimal

from tests.sync.push_support import DEMO_TENANT_ID, HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models import Invoice, XeroLink

ACTIONS = f"objects/{DEMO_TENANT_ID}/invoices"


def calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def sent_invoice(desk, records, number: str = "INV-0042") -> tuple[int, str]:
    invoice_id = records.invoice(desk.workspace_id, number=number)
    desk.send("invoice", invoice_id)
    return invoice_id, desk.link("invoice", invoice_id).xero_id


def read_back(app, invoice_id: int, status: str, paid: str | None = None,
              payments: list | None = None) -> None:
    """What reading the invoice back from Xero records on its link."""
    with app.app_context():
        link = db.session.scalar(db.select(XeroLink).filter_by(record_kind="invoice",
                                                               record_id=invoice_id))
        link.xero_status, link.xero_payments = status, payments
        link.xero_amount_paid = Decimal(paid) if paid else None
        db.session.commit()


def edit_here(app, invoice_id: int, **values) -> None:
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        for name, value in (values or {"reference": "changed here"}).items():
            setattr(invoice, name, value)
        db.session.commit()


def post(desk, invoice_id: int, action: str, **kwargs):
    return desk.client.post(f"/xero/invoice/{invoice_id}/{action}", headers=HTMX, **kwargs)


def test_paid_invoice_says_why_offers_no_update_and_a_push_makes_no_call(desk, records, app):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    paid = desk.control(f"{ACTIONS}/{xero_id}/pay", {"Date": "2026-12-03"})["Invoices"][0]
    read_back(app, invoice_id, "PAID", str(paid["AmountPaid"]),
              [{"PaymentID": "p1", "Date": "2026-12-03", "Amount": str(paid["AmountPaid"])}])
    edit_here(app, invoice_id)

    panel = desk.panel("invoice", invoice_id)

    text = text_of(panel)
    assert "Paid in Xero on 3 Dec 2026: Xero takes no more changes to it." in text
    assert ("Changed here since it was paid in Xero; Xero will not take these changes. "
            "Make the correction in Xero (e.g. a credit note).") in text
    assert ">Update</button>" not in panel and "Send again as new" not in panel
    assert 'badge-locked' in panel and "Paid in Xero" in text

    before = calls(desk)
    assert post(desk, invoice_id, "push").status_code == 200  # asked anyway (a stale page)
    desk.drain()
    assert calls(desk) == before
    job = desk.jobs("invoice", invoice_id)[-1]
    assert (job.status, job.error_kind) == ("failed", "locked")
    assert "is paid in Xero, and Xero takes no more changes to it" in job.error_message
    assert desk.held("invoices")[0].get("Reference") != "changed here"


def test_approved_invoice_without_payment_says_changes_are_accepted_and_updates(desk, records, app):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    read_back(app, invoice_id, "AUTHORISED")
    edit_here(app, invoice_id)

    panel = desk.panel("invoice", invoice_id)

    assert ("Approved in Xero (Awaiting payment): changes are still accepted until a payment "
            "is made.") in text_of(panel)
    assert ">Update</button>" in panel
    desk.send("invoice", invoice_id)
    (held,) = desk.held("invoices")
    assert (held["Reference"], held["Status"]) == ("changed here", "AUTHORISED")


def test_part_paid_invoice_is_locked_too(desk, records, app):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    desk.control(f"{ACTIONS}/{xero_id}/pay", {"Amount": 10, "Date": "2026-12-02"})
    read_back(app, invoice_id, "AUTHORISED", "10",
              [{"PaymentID": "p1", "Date": "2026-12-02", "Amount": "10.00"}])
    edit_here(app, invoice_id)

    text = text_of(desk.panel("invoice", invoice_id))

    assert "Part paid in Xero (10.00 paid): Xero takes no changes to it once a payment is made." in text
    assert "Changed here since a payment was made on it in Xero" in text


def test_voided_invoice_sent_again_as_new_creates_a_second_invoice_and_links_it(desk, records, app):
    invoice_id, old_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{old_id}/approve")
    desk.control(f"{ACTIONS}/{old_id}/void")
    read_back(app, invoice_id, "VOIDED")

    panel = desk.panel("invoice", invoice_id)
    text = text_of(panel)
    assert "Voided in Xero: it cannot change." in text
    assert "Xero keeps the number INV-0042 on the voided invoice" in text
    assert "Send again as new" in panel and "Unlink" in panel and "hx-confirm" in panel
    assert ">Update</button>" not in panel

    edit_here(app, invoice_id, number="INV-0043")
    answer = post(desk, invoice_id, "send-again")
    assert answer.status_code == 200 and "Queued" in text_of(answer.get_data(as_text=True))
    desk.drain()

    held = {i["InvoiceID"]: i for i in desk.held("invoices")}
    assert len(held) == 2 and held[old_id]["Status"] == "VOIDED"
    link = desk.link("invoice", invoice_id)
    assert link.xero_id != old_id and held[link.xero_id]["InvoiceNumber"] == "INV-0043"
    assert link.xero_status == "DRAFT"  # as the create's answer said
    assert [j.action for j in desk.jobs("invoice", invoice_id)] == ["send", "send"]
    assert "In Xero" in text_of(desk.panel("invoice", invoice_id))


def test_sent_again_with_the_voided_ones_number_says_to_change_it(desk, records, app):
    invoice_id, old_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{old_id}/approve")
    desk.control(f"{ACTIONS}/{old_id}/void")
    read_back(app, invoice_id, "VOIDED")

    post(desk, invoice_id, "send-again")
    desk.drain()

    assert len(desk.held("invoices")) == 1
    panel = desk.panel("invoice", invoice_id)
    assert "Xero keeps the number INV-0042 on the voided invoice, so it will not take it" in text_of(panel)
    assert "Change the number" in panel and desk.link("invoice", invoice_id) is None


def test_unlink_leaves_the_deleted_invoice_in_xero_and_the_record_not_in_xero(desk, records, app):
    invoice_id, old_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{old_id}/delete")
    read_back(app, invoice_id, "DELETED")
    assert "Deleted in Xero: it cannot change." in text_of(desk.panel("invoice", invoice_id))
    before = calls(desk)

    answer = post(desk, invoice_id, "unlink")

    text = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 200 and "Unlinked" in text and "Not in Xero" in text
    assert desk.link("invoice", invoice_id) is None and calls(desk) == before
    assert [i["Status"] for i in desk.held("invoices")] == ["DELETED"]
    assert [j.action for j in desk.jobs("invoice", invoice_id)] == ["send"]  # nothing pushed


def test_send_again_and_unlink_refuse_an_invoice_xero_still_holds(desk, records, app):
    invoice_id, xero_id = sent_invoice(desk, records)
    read_back(app, invoice_id, "PAID", "28.75")

    for action in ("send-again", "unlink"):
        answer = post(desk, invoice_id, action)
        assert answer.status_code == 200
        assert "Only an invoice or purchase order voided or deleted" in text_of(answer.get_data(as_text=True))
    assert desk.link("invoice", invoice_id).xero_id == xero_id
    assert len(desk.jobs("invoice", invoice_id)) == 1


def test_send_again_and_unlink_need_csrf(desk, records, app):
    invoice_id, _ = sent_invoice(desk, records)
    read_back(app, invoice_id, "VOIDED")

    for action in ("send-again", "unlink"):
        assert post(desk, invoice_id, action, csrf=False).status_code == 400
    assert desk.link("invoice", invoice_id) is not None


def test_a_purchase_order_deleted_in_xero_can_be_unlinked(desk, records, app):
    order_id = records.purchase_order(desk.workspace_id)
    with app.app_context():  # linked to an order Xero says is deleted
        db.session.add(XeroLink(workspace_id=desk.workspace_id, record_kind="purchase_order",
                                record_id=order_id, tenant_id=DEMO_TENANT_ID,
                                xero_id="0d6e0b0c-1c1f-4a9e-9d43-8f1d5f6a2b11", pushed_version=1,
                                sent_status="AUTHORISED", xero_status="DELETED"))
        db.session.commit()

    panel = desk.panel("purchase_order", order_id)
    assert "Sent as Approved. Deleted in Xero: it cannot change." in text_of(panel)
    assert "Send again as new" in panel

    answer = desk.client.post(f"/xero/purchase_order/{order_id}/unlink", headers=HTMX)

    assert "Unlinked: this purchase order is no longer linked" in text_of(answer.get_data(as_text=True))
    assert desk.link("purchase_order", order_id) is None


def test_an_update_that_finds_the_invoice_voided_in_xero_offers_send_again_at_once(desk, records, app):
    invoice_id, old_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{old_id}/approve")
    desk.control(f"{ACTIONS}/{old_id}/void")  # nothing read back yet: the link does not know
    edit_here(app, invoice_id)

    panel = desk.send("invoice", invoice_id)  # Update: reads the invoice first, finds it voided

    text = text_of(panel)
    assert "Voided in Xero: it cannot change." in text
    assert "Send again as new" in panel and "Unlink" in panel
    assert "Voided in Xero" in text_of(desk.client.get(
        f"/settings/integrations/activity").get_data(as_text=True))  # recorded as a change
    assert desk.link("invoice", invoice_id).xero_status == "VOIDED"
    assert [i["Status"] for i in desk.held("invoices")] == ["VOIDED"]  # nothing was sent
