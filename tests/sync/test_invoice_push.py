"""Invoice -> Xero ACCREC DRAFT invoice, end to end, with its client sent first when needed."""
from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal

from tests.sync.push_support import DEMO_TENANT_ID, text_of
from tests.xero.xero_support import child_settings
from xeroapp.extensions import db
from xeroapp.models import Invoice, InvoiceLine, XeroConnection


def set_defaults(app, account="200", tax="OUTPUT2"):
    with app.app_context():
        connection = db.session.scalar(db.select(XeroConnection))
        connection.sales_account_code, connection.sales_tax_type = account, tax
        db.session.commit()


def new_invoice(records, desk, **values):
    lines = values.pop("lines", None) or [
        InvoiceLine(position=0, description="Beans 1 kg", quantity=Decimal("2"),
                    unit_price=Decimal("12.50"), discount_rate=Decimal("10")),
        InvoiceLine(position=1, description="Delivery", quantity=Decimal("1"),
                    unit_price=Decimal("8"), account_code="260", tax_type="NONE"),
    ]
    values.setdefault("due_date", date(2026, 11, 20))
    values.setdefault("reference", "PO 778")
    return records.invoice(desk.workspace_id, number="INV-0042", lines=lines, **values)


def test_send_creates_the_client_and_one_draft_invoice_with_the_right_fields(desk, records, app):
    set_defaults(app)
    invoice_id = new_invoice(records, desk)

    panel = desk.send("invoice", invoice_id)

    (contact,) = desk.held("contacts")
    (invoice,) = desk.held("invoices")
    assert (invoice["Type"], invoice["Status"]) == ("ACCREC", "DRAFT")
    assert invoice["Contact"]["ContactID"] == contact["ContactID"]
    assert contact["Name"] == "Client of INV-0042"
    assert (invoice["InvoiceNumber"], invoice["Reference"]) == ("INV-0042", "PO 778")
    assert invoice["DateString"].startswith("2026-11-01") and invoice["DueDateString"].startswith("2026-11-20")
    assert (invoice["LineAmountTypes"], invoice["CurrencyCode"]) == ("Exclusive", "NZD")
    first, second = invoice["LineItems"]
    assert (first["Description"], first["Quantity"], first["UnitAmount"], first["DiscountRate"]) == (
        "Beans 1 kg", 2.0, 12.5, 10.0)
    assert (first["AccountCode"], first["TaxType"]) == ("200", "OUTPUT2")  # the defaults
    assert (second["AccountCode"], second["TaxType"]) == ("260", "NONE")  # the line's own
    assert invoice["SubTotal"] == 30.5

    with app.app_context():
        stored = db.session.get(Invoice, invoice_id)
        assert [l.xero_line_item_id for l in stored.lines] == [first["LineItemID"], second["LineItemID"]]
        assert stored.version == 1  # writing Xero's ids back is not an edit
    assert desk.link("invoice", invoice_id).xero_id == invoice["InvoiceID"]
    assert desk.link("client", stored.client_id).xero_id == contact["ContactID"]
    assert "In Xero" in text_of(panel) and "View in Xero" in panel
    assert f"redirecturl=/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}" in panel


def test_update_edits_lines_in_place_and_creates_nothing(desk, records, app):
    set_defaults(app)
    invoice_id = new_invoice(records, desk)
    desk.send("invoice", invoice_id)
    (before,) = desk.held("invoices")
    kept_id = before["LineItems"][0]["LineItemID"]

    with app.app_context():
        stored = db.session.get(Invoice, invoice_id)
        stored.reference = "PO 779"
        stored.lines[0].quantity = Decimal("3")
        stored.lines.pop(1)  # a deleted line goes from Xero too
        stored.lines.append(InvoiceLine(position=2, description="Grinder", quantity=Decimal("1"),
                                        unit_price=Decimal("99")))
        db.session.commit()

    panel = desk.send("invoice", invoice_id)

    (after,) = desk.held("invoices")
    assert after["InvoiceID"] == before["InvoiceID"] and len(desk.held("contacts")) == 1
    assert after["Reference"] == "PO 779" and after["Status"] == "DRAFT"
    assert [l["Description"] for l in after["LineItems"]] == ["Beans 1 kg", "Grinder"]
    assert after["LineItems"][0]["LineItemID"] == kept_id and after["LineItems"][0]["Quantity"] == 3.0
    with app.app_context():
        assert [l.xero_line_item_id for l in db.session.get(Invoice, invoice_id).lines] == [
            l["LineItemID"] for l in after["LineItems"]]
    assert [j.action for j in desk.jobs("invoice", invoice_id)] == ["send", "update"]
    assert "No changes since last push" in panel


def test_invoice_of_a_client_already_in_xero_reuses_its_contact(desk, records):
    client_id = records.client(desk.workspace_id, name="Harbour Bakery")
    desk.send("client", client_id)
    invoice_id = new_invoice(records, desk, client_id=client_id)

    desk.send("invoice", invoice_id)

    (contact,) = desk.held("contacts")
    assert desk.held("invoices")[0]["Contact"]["ContactID"] == contact["ContactID"]
    assert [j.action for j in desk.jobs("client", client_id)] == ["send"]


def test_approved_invoice_without_payments_is_still_updated_in_xero(desk, records, app):
    invoice_id = new_invoice(records, desk)
    desk.send("invoice", invoice_id)
    (sent,) = desk.held("invoices")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{sent['InvoiceID']}/approve")
    with app.app_context():
        db.session.get(Invoice, invoice_id).reference = "changed here"
        db.session.commit()

    panel = desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert held["Reference"] == "changed here" and held["Status"] == "AUTHORISED"
    assert desk.jobs("invoice", invoice_id)[-1].status == "done"
    assert "No changes since last push" in text_of(panel)


def test_paid_invoice_is_not_changed_and_the_push_says_why(desk, records, app):
    invoice_id = new_invoice(records, desk)
    desk.send("invoice", invoice_id)
    (sent,) = desk.held("invoices")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{sent['InvoiceID']}/approve")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{sent['InvoiceID']}/pay", {"Amount": 5})
    with app.app_context():
        db.session.get(Invoice, invoice_id).reference = "changed here"
        db.session.commit()

    panel = desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert held["Reference"] == "PO 778" and held["AmountPaid"] == 5
    text = text_of(panel)
    assert "This invoice has a payment in Xero, and Xero takes no changes" in text
    assert "Nothing was sent" in text and "Try again" not in panel
    assert desk.jobs("invoice", invoice_id)[-1].error_kind == "locked"
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).reference == "changed here"


def test_paid_invoice_is_locked_too(desk, records):
    invoice_id = new_invoice(records, desk)
    desk.send("invoice", invoice_id)
    desk.set_status("invoices", desk.held("invoices")[0]["InvoiceID"], "AUTHORISED")
    desk.set_status("invoices", desk.held("invoices")[0]["InvoiceID"], "PAID")

    assert "is paid in Xero, and Xero takes no more changes to it" in text_of(
        desk.send("invoice", invoice_id))


def test_unknown_account_code_is_shown_with_the_field_and_nothing_is_sent(desk, records, app):
    set_defaults(app, account="999")
    invoice_id = new_invoice(records, desk)

    panel = desk.send("invoice", invoice_id)

    assert desk.held("invoices") == []
    text = text_of(panel)
    assert "Account code '999' is not a valid code" in text
    assert "Xero complained about: Account code" in text
    # the client made it, and stays linked: the retry only sends the invoice
    assert len(desk.held("contacts")) == 1
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).lines[0].xero_line_item_id is None

    set_defaults(app, account="200")
    desk.send("invoice", invoice_id)
    assert len(desk.held("invoices")) == 1 and len(desk.held("contacts")) == 1


def test_our_own_earlier_copy_is_adopted_not_duplicated(desk, records, app):
    """A push whose answer was lost left the invoice in Xero but no link here."""
    from xeroapp.models.xero import XeroLink

    invoice_id = new_invoice(records, desk)
    desk.send("invoice", invoice_id)
    with app.app_context():
        db.session.execute(db.delete(XeroLink).where(XeroLink.record_kind == "invoice"))
        db.session.commit()

    panel = desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert desk.link("invoice", invoice_id).xero_id == held["InvoiceID"]
    assert "In Xero" in text_of(panel)


def test_someone_elses_invoice_with_our_number_is_not_touched(desk, records):
    other_contact = desk.add_contact("Someone Else")
    from xeroapp.xero.client import XeroClient
    with desk.app.app_context():
        XeroClient.for_workspace(desk.workspace_id).accounting("PUT", "Invoices", json={"Invoices": [
            {"Type": "ACCREC", "Contact": {"ContactID": other_contact}, "InvoiceNumber": "INV-0042",
             "LineItems": [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 5}]}]})
    invoice_id = new_invoice(records, desk)

    panel = desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert held["LineItems"][0]["Description"] == "Theirs"
    text = text_of(panel)
    assert "Invoice # must be unique." in text and "Xero complained about: Number" in text


def test_two_invoices_of_a_new_client_sent_at_once_share_one_contact(live_desk, records, app):
    """Both pushes look the client up before either has created it; Xero then refuses the
    second create ("already assigned to another contact"). That push must find the contact
    the first one made (it carries our ContactNumber) and use it, not fail."""
    desk = live_desk
    client_id = records.client(desk.workspace_id, name="Twin Peaks Café")
    invoice_ids = [records.invoice(desk.workspace_id, number=f"INV-{n}", client_id=client_id)
                   for n in (1, 2)]
    for invoice_id in invoice_ids:
        assert desk.press("invoice", invoice_id).status_code == 200
    job_ids = [desk.jobs("invoice", invoice_id)[0].id for invoice_id in invoice_ids]
    desk.control("faults", {"latency": 2})  # both lookups are in flight at the same time

    from tests.sync.race_workers import run_push_together
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=run_push_together, args=(child_settings(app), job_id, barrier))
               for job_id in job_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    desk.control("faults", method="delete")

    assert [worker.exitcode for worker in workers] == [0, 0]
    assert [desk.jobs("invoice", i)[0].status for i in invoice_ids] == ["done", "done"]
    (contact,) = desk.held("contacts")
    assert contact["Name"] == "Twin Peaks Café"
    assert {i["Contact"]["ContactID"] for i in desk.held("invoices")} == {contact["ContactID"]}
    assert desk.link("client", client_id).xero_id == contact["ContactID"]
