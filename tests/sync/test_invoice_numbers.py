"""Invoice numbers against an organisation that already has invoices: Xero numbers ours when
the workspace lets it (one Send, one bulk send), and a number Xero already holds comes back
naming the number and where to change it. End to end: web routes, the worker, the sandbox."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx

from tests.sync.push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models import Invoice, InvoiceLine
from xeroapp.xero.client import XeroClient

THEIRS = ("INV-0001", "INV-0002", "INV-0003")


def their_invoices(desk, numbers=THEIRS) -> dict[str, dict]:
    """Invoices the business raised in Xero itself before connecting us."""
    with desk.app.app_context():
        xero = XeroClient.for_workspace(desk.workspace_id)
        contact = xero.accounting("PUT", "Contacts", json={"Contacts": [{"Name": "Their customer"}]})
        contact_id = contact["Contacts"][0]["ContactID"]
        made = xero.accounting("PUT", "Invoices", json={"Invoices": [
            {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "InvoiceNumber": number,
             "Date": "2026-10-01", "LineItems": [{"Description": f"Theirs {number}", "Quantity": 1,
                                                  "UnitAmount": 10, "AccountCode": "200"}]}
            for number in numbers]})
    return {i["InvoiceNumber"]: i for i in made["Invoices"]}


def choose_numbering(desk, mode: str, **fields: str):
    data = {"document_numbering": mode, "invoice_number_prefix": "INV-", "invoice_number_next": "1",
            "po_number_prefix": "PO-", "po_number_next": "1", **fields}
    response = desk.client.post("/settings/numbering", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def held_by_number(desk) -> dict[str, dict]:
    return {i["InvoiceNumber"]: i for i in desk.held("invoices")}


def invoice_form(client_id: int, number: str = "", description: str = "Beans 1 kg") -> dict[str, str]:
    return {"number": number, "client_id": str(client_id), "issue_date": "2026-11-02",
            "due_date": "2026-11-16", "reference": "", "currency": "NZD",
            "amount_type": "Exclusive", "lines-0-line_id": "", "lines-0-product_id": "",
            "lines-0-description": description, "lines-0-quantity": "2",
            "lines-0-unit_price": "12.50", "lines-0-discount_rate": "",
            "lines-0-account_code": "200", "lines-0-tax_type": ""}


def create_invoice(desk, client_id: int, number: str = "") -> int:
    response = desk.client.post("/invoices/new", data=invoice_form(client_id, number))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def stored(app, invoice_id: int) -> Invoice:
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        db.session.expunge(invoice)
        return invoice


def test_xero_numbers_a_new_invoice_after_its_own_and_we_keep_that_number(desk, records, app):
    before = their_invoices(desk)
    choose_numbering(desk, "xero")
    client_id = records.client(desk.workspace_id, name="Bayside Café")

    form = desk.client.get("/invoices/new").get_data(as_text=True)
    assert 'name="number" type="text" value=""' in form
    assert "Xero gives the next number of its own sequence" in text_of(form)
    invoice_id = create_invoice(desk, client_id)
    assert stored(app, invoice_id).number is None
    listing = text_of(desk.client.get("/invoices/").get_data(as_text=True))
    assert "Draft — numbered by Xero when sent Bayside Café" in listing
    detail = text_of(desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True))
    assert "Invoice Draft — numbered by Xero when sent" in detail

    panel = text_of(desk.send("invoice", invoice_id))

    held = held_by_number(desk)
    assert sorted(held) == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    assert held["INV-0004"]["Contact"]["Name"] == "Bayside Café"
    for number in THEIRS:  # the business's own invoices are untouched
        assert held[number]["UpdatedDateUTC"] == before[number]["UpdatedDateUTC"]
        assert held[number]["LineItems"][0]["Description"] == f"Theirs {number}"
    assert stored(app, invoice_id).number == "INV-0004"
    assert stored(app, invoice_id).version == 1  # Xero's number is not an edit of ours
    assert desk.link("invoice", invoice_id).xero_id == held["INV-0004"]["InvoiceID"]
    assert "No changes since last push" in panel
    assert "Invoice INV-0004" in text_of(desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True))
    assert "INV-0004" in text_of(desk.client.get("/invoices/?q=0004").get_data(as_text=True))

    # An update leaves the number alone in Xero: the edit form carries Xero's number now.
    edit = desk.client.get(f"/invoices/{invoice_id}/edit").get_data(as_text=True)
    assert 'value="INV-0004"' in edit
    form = invoice_form(client_id, "INV-0004", description="Beans 2 kg")
    form["lines-0-line_id"] = str(stored_line_id(app, invoice_id))
    assert desk.client.post(f"/invoices/{invoice_id}/edit", data=form).status_code == 302
    desk.send("invoice", invoice_id)
    held = held_by_number(desk)
    assert len(held) == 4 and held["INV-0004"]["LineItems"][0]["Description"] == "Beans 2 kg"


def stored_line_id(app, invoice_id: int) -> int:
    with app.app_context():
        return db.session.get(Invoice, invoice_id).lines[0].id


def test_a_clash_names_the_number_and_the_edit_page_and_renumbering_sends_it(desk, records, app):
    their_invoices(desk)
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    invoice_id = create_invoice(desk, client_id, "INV-0002")  # our own series, as before

    panel = desk.send("invoice", invoice_id)

    text = text_of(panel)
    assert ("Xero already has an invoice numbered INV-0002 (Xero said “Invoice # must be unique.”). "
            "To send this one, open its Edit page and change the Invoice number field from "
            "INV-0002 to a number Xero does not have yet, then send it again.") in text
    assert f'href="/invoices/{invoice_id}/edit"' in panel and "Change the number" in text
    (job,) = desk.jobs("invoice", invoice_id)
    assert (job.status, job.error_field) == ("failed", "Number")
    assert held_by_number(desk)["INV-0002"]["LineItems"][0]["Description"] == "Theirs INV-0002"

    form = invoice_form(client_id, "INV-0100")
    form["lines-0-line_id"] = str(stored_line_id(app, invoice_id))
    assert desk.client.post(f"/invoices/{invoice_id}/edit", data=form).status_code == 302
    assert "In Xero" in text_of(desk.send("invoice", invoice_id))
    assert held_by_number(desk)["INV-0100"]["Contact"]["Name"] == "Bayside Café"


def test_when_xero_numbers_them_a_clash_offers_leaving_the_number_empty(desk, records, app):
    their_invoices(desk)
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    invoice_id = create_invoice(desk, client_id, "INV-0003")  # made before connecting
    choose_numbering(desk, "xero")

    text = text_of(desk.send("invoice", invoice_id))
    assert "numbered INV-0003" in text and "or leave it empty so that Xero gives it the next number" in text

    form = invoice_form(client_id, "")
    form["lines-0-line_id"] = str(stored_line_id(app, invoice_id))
    assert desk.client.post(f"/invoices/{invoice_id}/edit", data=form).status_code == 302
    desk.send("invoice", invoice_id)
    assert stored(app, invoice_id).number == "INV-0004"
    assert held_by_number(desk)["INV-0004"]["Contact"]["Name"] == "Bayside Café"


def unnumbered(records, desk, client_id: int, count: int) -> list[int]:
    return [records.invoice(desk.workspace_id, number=None, client_id=client_id,
                            issue_date=date(2026, 11, n + 1), lines=[
                                InvoiceLine(description=f"Order {n}", quantity=Decimal(n + 1),
                                            unit_price=Decimal("5"), account_code="200")])
            for n in range(count)]


def test_bulk_send_keeps_each_xero_number_and_reports_clashes_per_invoice(desk, records, app):
    their_invoices(desk)
    choose_numbering(desk, "xero")
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    ids = unnumbered(records, desk, client_id, 4)
    clashing = records.invoice(desk.workspace_id, number="INV-0002", client_id=client_id)
    free = records.invoice(desk.workspace_id, number="INV-0500", client_id=client_id)

    assert desk.client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200
    desk.drain()

    held = held_by_number(desk)
    assert len(held) == 3 + 5  # theirs, 4 numbered by Xero, INV-0500
    for invoice_id in ids + [free]:
        number = stored(app, invoice_id).number
        assert number is not None and desk.link("invoice", invoice_id).xero_id == held[number]["InvoiceID"]
    days = {held[stored(app, i).number]["DateString"][:10] for i in ids}
    assert days == {f"2026-11-0{n + 1}" for n in range(4)}
    assert stored(app, clashing).number == "INV-0002" and desk.link("invoice", clashing) is None
    page = text_of(desk.client.get("/xero/bulk/invoices", headers=HTMX).get_data(as_text=True))
    page = page.replace(" :", ":")
    assert "5 sent · 1 failed" in page
    assert ("Invoice INV-0002: Xero already has an invoice numbered INV-0002" in page
            and "open its Edit page and change the Invoice number field" in page)


class ReversingTransport(httpx.WSGITransport):
    """The sandbox, but every batched /Invoices answer comes back in reverse order."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method in ("PUT", "POST") and request.url.path.endswith("/Invoices"):
            body = json.loads(response.read())
            body["Invoices"] = list(reversed(body.get("Invoices") or []))
            return httpx.Response(response.status_code, headers={"content-type": "application/json"},
                                  json=body)
        return response


def test_a_reordered_answer_never_links_an_invoice_to_another(desk, records, app):
    choose_numbering(desk, "xero")
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    ids = unnumbered(records, desk, client_id, 3)
    twins = [records.invoice(desk.workspace_id, number=None, client_id=client_id,
                             issue_date=date(2026, 12, 1), lines=[
                                 InvoiceLine(description="Same", quantity=Decimal(1),
                                             unit_price=Decimal("5"), account_code="200")])
             for _ in range(2)]
    desk.app.config["XERO_HTTP_TRANSPORT"] = ReversingTransport(app=desk.sandbox)

    assert desk.client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200
    desk.drain()

    held = {i["InvoiceID"]: i for i in desk.held("invoices")}
    for n, invoice_id in enumerate(ids):  # each linked to its own copy, whatever the order
        linked = held[desk.link("invoice", invoice_id).xero_id]
        assert linked["LineItems"][0]["Description"] == f"Order {n}"
        assert linked["InvoiceNumber"] == stored(app, invoice_id).number
    for invoice_id in twins:  # two copies that cannot be told apart: neither is guessed
        assert desk.link("invoice", invoice_id) is None and stored(app, invoice_id).number is None
    page = text_of(desk.client.get("/xero/bulk/invoices", headers=HTMX).get_data(as_text=True))
    assert "could not be told apart from the others in its batch" in page


def test_renumbering_a_sent_invoice_to_one_xero_holds_is_refused_with_the_same_words(desk, records, app):
    their_invoices(desk)
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    invoice_id = create_invoice(desk, client_id, "INV-0100")
    desk.send("invoice", invoice_id)
    form = invoice_form(client_id, "INV-0002")
    form["lines-0-line_id"] = str(stored_line_id(app, invoice_id))
    assert desk.client.post(f"/invoices/{invoice_id}/edit", data=form).status_code == 302

    text = text_of(desk.send("invoice", invoice_id))

    assert "Could not update" in text
    assert ("Xero already has an invoice numbered INV-0002" in text
            and "change the Invoice number field from INV-0002" in text)
    held = held_by_number(desk)
    assert held["INV-0002"]["LineItems"][0]["Description"] == "Theirs INV-0002"
    assert held["INV-0100"]["Contact"]["Name"] == "Bayside Café"
