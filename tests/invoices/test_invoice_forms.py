"""Creating, editing, duplicating and marking invoices through the web forms."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from tests.invoices.conftest import input_value, invoice_form, load_invoice
from xeroapp.extensions import db
from xeroapp.models import Invoice, InvoiceLine

BEANS = {"description": "House blend beans 1 kg", "quantity": "3", "unit_price": "32.00",
         "discount_rate": "10", "account_code": "200", "tax_type": "OUTPUT2"}
CUPS = {"description": "Cups", "quantity": "1.5", "unit_price": "0.1250", "tax_type": "NONE"}


def count_invoices(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Invoice))


def test_new_form_suggests_number_dates_currency_and_one_line(client, ada, records):
    records.product(ada, sku="BEAN-1KG", name="Beans 1 kg")
    client_id = records.client(ada, name="Bayside Café")

    body = client.get(f"/invoices/new?client_id={client_id}").get_data(as_text=True)

    today = date.today()
    assert input_value(body, "number") == "INV-0001"
    assert f'<option selected value="{client_id}">Bayside Café</option>' in body
    assert input_value(body, "issue_date") == today.isoformat()
    assert input_value(body, "due_date") == (today + timedelta(days=14)).isoformat()
    assert '<option selected value="NZD">NZD</option>' in body
    assert '<option selected value="Exclusive">Tax exclusive</option>' in body
    assert 'name="lines-0-description"' in body and 'name="lines-1-description"' not in body
    assert "Beans 1 kg (BEAN-1KG)" in body
    assert "Shipping and Handling" not in body  # unpublished: not offered on invoices
    assert "15% GST on Income (15%)" in body
    assert "this workspace has none yet" not in body


def test_create_persists_exactly_what_was_entered(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    product_id = records.product(ada, sku="BEAN-1KG", name="Beans")
    data = invoice_form(client_id, [{**BEANS, "product_id": product_id}, CUPS],
                        number=" INV-0100 ", reference="PO 4471", amount_type="Inclusive",
                        currency="AUD", issue_date="2026-11-02", due_date="2026-12-02")

    response = client.post("/invoices/new", data=data)

    invoice = load_invoice(app, number="INV-0100")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/invoices/{invoice.id}"
    assert (invoice.workspace_id, invoice.client_id, invoice.reference, invoice.currency,
            invoice.amount_type, invoice.status) == (ada, client_id, "PO 4471", "AUD", "Inclusive", "draft")
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 11, 2), date(2026, 12, 2))
    assert [(line.position, line.product_id, line.description, line.quantity, line.unit_price,
             line.discount_rate, line.account_code, line.tax_type) for line in invoice.lines] == [
        (0, product_id, "House blend beans 1 kg", D("3"), D("32"), D("10"), "200", "OUTPUT2"),
        (1, None, "Cups", D("1.5"), D("0.125"), None, None, "NONE"),
    ]
    assert "Invoice INV-0100 created." in client.get(f"/invoices/{invoice.id}").get_data(as_text=True)


def test_detail_shows_lines_and_totals(app, client, ada, records):
    client.post("/invoices/new", data=invoice_form(records.client(ada), [BEANS, CUPS]))
    invoice_id = load_invoice(app, number="INV-0001").id

    body = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)

    # 3 x 32 less 10% = 86.40 (+12.96 GST); 1.5 x 0.125 = 0.1875 -> 0.19 (no GST)
    assert '<td class="num">86.40</td>' in body and '<td class="num">0.19</td>' in body
    assert "NZD 86.59" in body and "12.96" in body and "NZD 99.55" in body
    assert "15% GST on Income" in body and "No GST" in body


def test_blank_rows_are_ignored(app, client, ada, records):
    data = invoice_form(records.client(ada), [{}, BEANS, {"quantity": "1"}])

    assert client.post("/invoices/new", data=data).status_code == 302
    assert [line.description for line in load_invoice(app, number="INV-0001").lines] == [BEANS["description"]]


@pytest.mark.parametrize("change, message", [
    ({"client_id": ""}, "Choose a client."),
    ({"number": " "}, "Enter an invoice number."),
    ({"number": "x" * 256}, "Use at most 255 characters (Xero&#39;s limit)."),
    ({"issue_date": ""}, "Enter the issue date."),
    ({"due_date": "2026-11-01"}, "The due date cannot be before the issue date."),
    ({"due_date": "soon"}, "Not a valid date value."),
    ({"currency": "XXX"}, "Not a valid choice."),
    ({"lines-0-description": ""}, "Enter a description."),
    ({"lines-0-quantity": "0"}, "Enter a quantity above 0."),
    ({"lines-0-quantity": "-2"}, "Enter a quantity above 0."),
    ({"lines-0-quantity": ""}, "Enter a quantity."),
    ({"lines-0-unit_price": "-1"}, "The unit price cannot be negative."),
    ({"lines-0-unit_price": ""}, "Enter a unit price (0 or more)."),
    ({"lines-0-unit_price": "1.23456"}, "Use at most 4 decimal places."),
    ({"lines-0-discount_rate": "100.5"}, "Enter a discount from 0 to 100."),
    ({"lines-0-discount_rate": "-1"}, "Enter a discount from 0 to 100."),
    ({"lines-0-discount_rate": "10.125"}, "Use at most 2 decimal places."),
    ({"lines-0-account_code": "20-0"}, "Use letters and digits only, like 200."),
    ({"lines-0-tax_type": "MADEUP"}, "Not a valid choice."),
])
def test_each_validation_message_keeps_every_line(app, client, ada, records, change, message):
    data = invoice_form(records.client(ada), [BEANS, CUPS], reference="Kept ref")
    data.update(change)

    response = client.post("/invoices/new", data=data)

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert "The invoice was not saved" in body
    assert 'value="Kept ref"' in body
    for row, line in enumerate((BEANS, CUPS)):  # every line comes back as typed
        for key in ("description", "quantity", "unit_price"):
            name = f"lines-{row}-{key}"
            assert input_value(body, name) == data[name], name
    assert count_invoices(app) == 0


def test_at_least_one_line(app, client, ada, records):
    response = client.post("/invoices/new", data=invoice_form(records.client(ada), [{}]))

    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Add at least one line." in body
    assert 'name="lines-0-description"' in body  # a row to type in
    assert count_invoices(app) == 0


def test_number_must_be_unique_in_the_workspace(app, client, ada, records):
    records.invoice(ada, number="INV-0007")
    records.invoice(records.workspace(), number="INV-0008")  # another workspace's is no clash
    client_id = records.client(ada)

    taken = client.post("/invoices/new", data=invoice_form(client_id, [BEANS], number="inv-0007"))
    free = client.post("/invoices/new", data=invoice_form(client_id, [BEANS], number="INV-0008"))

    assert taken.status_code == 422
    assert "Another invoice already has this number." in taken.get_data(as_text=True)
    assert free.status_code == 302


def test_a_number_differing_only_in_case_saved_meanwhile_is_reported_not_raised(
        app, client, ada, records, monkeypatch):
    """Two tabs save "inv-0007" and "INV-0007" at once: both pass the form's check, the
    database refuses the second, and its person sees the form's message."""
    records.invoice(ada, number="inv-0007")
    client_id = records.client(ada)
    editing = records.invoice(ada, number="INV-0009", client_id=client_id)
    monkeypatch.setattr("xeroapp.invoices.forms.number_taken", lambda *args, **kw: False)

    new = client.post("/invoices/new", data=invoice_form(client_id, [BEANS], number="INV-0007"))
    edit = client.post(f"/invoices/{editing}/edit",
                       data=invoice_form(client_id, [BEANS], number="Inv-0007"))

    for response in (new, edit):
        assert response.status_code == 422
        assert "Another invoice already has this number." in response.get_data(as_text=True)
    with app.app_context():
        numbers = db.session.scalars(sa.select(Invoice.number).order_by(Invoice.id)).all()
    assert numbers == ["inv-0007", "INV-0009"]


def test_another_workspaces_client_or_an_unpublished_product_is_refused(app, client, ada, records):
    theirs = records.client(records.workspace(), name="Their Client")
    shipping = _shipping_id(app, ada)

    other_client = client.post("/invoices/new", data=invoice_form(theirs, [BEANS]))
    unpublished = client.post("/invoices/new", data=invoice_form(
        records.client(ada), [{**BEANS, "product_id": shipping}]))

    assert other_client.status_code == 422 and "Not a valid choice" in other_client.get_data(as_text=True)
    assert unpublished.status_code == 422 and "Not a valid choice" in unpublished.get_data(as_text=True)
    assert count_invoices(app) == 0


def _shipping_id(app, workspace_id: int) -> int:
    from xeroapp.models import Product

    with app.app_context():
        return db.session.scalar(sa.select(Product.id).where(Product.workspace_id == workspace_id,
                                                             Product.published.is_(False)))


# ---- Edit ------------------------------------------------------------------------------------

@pytest.fixture
def saved_invoice(app, records, ada) -> int:
    return records.invoice(ada, number="INV-0001", lines=[
        InvoiceLine(position=0, description="Beans", quantity=D("2"), unit_price=D("12.50"),
                    xero_line_item_id="li-beans"),
        InvoiceLine(position=1, description="Cups", quantity=D("1"), unit_price=D("95"),
                    xero_line_item_id="li-cups"),
    ])


def test_edit_form_shows_the_invoice(client, saved_invoice):
    body = client.get(f"/invoices/{saved_invoice}/edit").get_data(as_text=True)

    assert input_value(body, "number") == "INV-0001"
    assert input_value(body, "lines-0-description") == "Beans"
    assert input_value(body, "lines-0-unit_price") == "12.50"
    assert input_value(body, "lines-1-quantity") == "1"


def test_edit_updates_lines_in_place_and_bumps_the_version(app, client, saved_invoice):
    before = load_invoice(app, id=saved_invoice)
    beans, cups = before.lines
    data = invoice_form(before.client_id, [
        {"line_id": cups.id, "description": "Cups (1000)", "quantity": "2", "unit_price": "95"},
        {"description": "Lids", "quantity": "1", "unit_price": "42"},
    ], number="INV-0001", reference="Changed")

    response = client.post(f"/invoices/{saved_invoice}/edit", data=data)

    after = load_invoice(app, id=saved_invoice)
    assert response.headers["Location"] == f"/invoices/{saved_invoice}"
    assert after.reference == "Changed" and after.version == before.version + 1
    assert [(line.description, line.quantity, line.position) for line in after.lines] == [
        ("Cups (1000)", D("2"), 0), ("Lids", D("1"), 1)]
    # the edited line is the same row, so Xero's LineItemID survives; Beans was removed
    assert (after.lines[0].id, after.lines[0].xero_line_item_id) == (cups.id, "li-cups")
    assert after.lines[1].xero_line_item_id is None
    with app.app_context():
        assert db.session.get(InvoiceLine, beans.id) is None


def test_saving_an_unchanged_invoice_keeps_its_version(app, client, saved_invoice):
    before = load_invoice(app, id=saved_invoice)
    data = invoice_form(before.client_id, [
        {"line_id": line.id, "description": line.description, "quantity": line.quantity,
         "unit_price": line.unit_price} for line in before.lines
    ], issue_date=before.issue_date.isoformat(), due_date=before.issue_date.isoformat())
    client.post(f"/invoices/{saved_invoice}/edit", data=data)  # the form requires a due date
    version = load_invoice(app, id=saved_invoice).version

    client.post(f"/invoices/{saved_invoice}/edit", data=data)

    assert load_invoice(app, id=saved_invoice).version == version


def test_a_posted_line_id_of_another_invoice_makes_a_new_line(app, client, ada, records, saved_invoice):
    other = load_invoice(app, id=records.invoice(ada, number="INV-0002"))
    data = invoice_form(other.client_id, [{"line_id": other.lines[0].id, "description": "Mine",
                                           "quantity": "1", "unit_price": "1"}])

    client.post(f"/invoices/{saved_invoice}/edit", data=data)

    assert load_invoice(app, id=other.id).lines[0].description == "Beans"
    assert [line.description for line in load_invoice(app, id=saved_invoice).lines] == ["Mine"]


def test_edit_can_keep_its_own_number(app, client, saved_invoice):
    before = load_invoice(app, id=saved_invoice)
    data = invoice_form(before.client_id, [BEANS], number="INV-0001")

    assert client.post(f"/invoices/{saved_invoice}/edit", data=data).status_code == 302


# ---- Duplicate and status ----------------------------------------------------------------------

def test_duplicate_prefills_a_new_invoice_without_saving(app, client, ada, records):
    records.invoice(ada, number="INV-0041")
    source = records.invoice(ada, number="INV-0040", reference="Weekly", amount_type="Inclusive",
                             issue_date=date(2026, 1, 1), due_date=date(2026, 1, 21), lines=[
        InvoiceLine(position=0, description="Beans", quantity=D("2"), unit_price=D("12.50"),
                    discount_rate=D("5"), tax_type="OUTPUT2", xero_line_item_id="li-1"),
    ])

    body = client.get(f"/invoices/{source}/duplicate").get_data(as_text=True)

    today = date.today()
    assert 'action="/invoices/new"' in body
    assert input_value(body, "number") == "INV-0042"
    assert input_value(body, "issue_date") == today.isoformat()
    assert input_value(body, "due_date") == (today + timedelta(days=20)).isoformat()
    assert 'value="Weekly"' in body and '<option selected value="Inclusive">' in body
    assert input_value(body, "lines-0-description") == "Beans"
    assert input_value(body, "lines-0-discount_rate") == "5"
    assert input_value(body, "lines-0-line_id") == ""
    assert "A copy of invoice INV-0040" in body
    assert count_invoices(app) == 2


def test_saving_a_duplicate_creates_a_draft_with_copied_lines(app, client, ada, records):
    source = load_invoice(app, id=records.invoice(ada, number="INV-0001", status="sent"))
    data = invoice_form(source.client_id, [{"description": "Beans", "quantity": "2",
                                            "unit_price": "12.50"}], number="INV-0002")

    client.post("/invoices/new", data=data)

    copy = load_invoice(app, number="INV-0002")
    assert copy.status == "draft" and copy.id != source.id
    assert [(line.description, line.quantity) for line in copy.lines] == [("Beans", D("2"))]


def test_mark_as_sent_and_back_without_a_new_version(app, client, saved_invoice):
    sent = client.post(f"/invoices/{saved_invoice}/status", data={"status": "sent"})
    page = client.get(f"/invoices/{saved_invoice}").get_data(as_text=True)

    assert sent.headers["Location"] == f"/invoices/{saved_invoice}"
    invoice = load_invoice(app, id=saved_invoice)
    assert (invoice.status, invoice.version) == ("sent", 1)
    assert "Invoice INV-0001 marked as sent." in page and "Back to draft" in page

    client.post(f"/invoices/{saved_invoice}/status", data={"status": "draft"})
    assert load_invoice(app, id=saved_invoice).status == "draft"
    assert client.post(f"/invoices/{saved_invoice}/status", data={"status": "paid"}).status_code == 400


def test_another_workspaces_invoice_cannot_be_changed(app, client, ada, records):
    theirs = records.invoice(records.workspace(), number="THEIRS")
    data = invoice_form(records.client(ada), [BEANS], number="MINE")

    assert client.post(f"/invoices/{theirs}/edit", data=data).status_code == 404
    assert client.post(f"/invoices/{theirs}/status", data={"status": "sent"}).status_code == 404
    assert load_invoice(app, id=theirs).status == "draft"
    assert load_invoice(app, id=theirs).number == "THEIRS"


def test_new_invoice_without_any_client_says_to_add_one(client, ada):
    body = client.get("/invoices/new").get_data(as_text=True)

    assert "this workspace has none yet" in body and 'href="/clients/new"' in body


def test_changing_only_a_line_bumps_the_version(app, client, saved_invoice):
    before = load_invoice(app, id=saved_invoice)
    rows = [{"line_id": line.id, "description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price} for line in before.lines]
    data = invoice_form(before.client_id, rows, issue_date=before.issue_date.isoformat(),
                        due_date=before.issue_date.isoformat())
    client.post(f"/invoices/{saved_invoice}/edit", data=data)  # fills the due date: version 2
    rows[1]["quantity"] = "3"

    client.post(f"/invoices/{saved_invoice}/edit", data=invoice_form(
        before.client_id, rows, issue_date=before.issue_date.isoformat(),
        due_date=before.issue_date.isoformat()))

    after = load_invoice(app, id=saved_invoice)
    assert after.version == 3 and after.lines[1].quantity == D("3")
