"""Line ids, row numbers and product ids posted with an invoice: one that cannot be an id
is refused with a message and nothing is saved (it was once saved as a new line), and the
htmx line endpoint answers 400 instead of failing."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.invoices.conftest import invoice_form, load_invoice
from xeroapp.models import InvoiceLine

LONG_ID = "9" * 4400


@pytest.fixture
def saved_invoice(records, ada) -> int:
    return records.invoice(ada, number="INV-0001", lines=[
        InvoiceLine(position=0, description="Beans", quantity=D("2"), unit_price=D("12.50"),
                    xero_line_item_id="li-beans"),
    ])


def lines_of(app, invoice_id: int) -> list[tuple]:
    invoice = load_invoice(app, id=invoice_id)
    return [(line.id, line.description, line.xero_line_item_id) for line in invoice.lines]


@pytest.mark.parametrize("line_id", [LONG_ID, str(2**63), "²", "١", "-1", "0"])
def test_an_unreadable_line_id_is_refused_and_nothing_saved(app, client, saved_invoice, line_id):
    before = load_invoice(app, id=saved_invoice)
    data = invoice_form(before.client_id, [{"line_id": line_id, "description": "Beans, edited",
                                            "quantity": "2", "unit_price": "12.50"}])

    response = client.post(f"/invoices/{saved_invoice}/edit", data=data)

    assert response.status_code == 422
    assert "carries an id that cannot be one, so nothing was saved" in response.get_data(as_text=True)
    assert lines_of(app, saved_invoice) == [(before.lines[0].id, "Beans", "li-beans")]


def test_a_new_invoice_with_an_unreadable_line_id_is_not_created(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    data = invoice_form(client_id, [{"line_id": LONG_ID, "description": "Beans",
                                     "quantity": "1", "unit_price": "5"}])

    response = client.post("/invoices/new", data=data)

    assert response.status_code == 422
    assert load_invoice(app, number="INV-0001") is None


@pytest.mark.parametrize("row", ["²", "١", "100000", "9" * 4301])
def test_a_row_number_that_cannot_be_one_is_a_plain_400(app, client, saved_invoice, row):
    before = load_invoice(app, id=saved_invoice)
    data = invoice_form(before.client_id, [{"line_id": before.lines[0].id, "description": "Edited",
                                            "quantity": "2", "unit_price": "12.50"}])
    data[f"lines-{row}-description"] = "Extra"

    for url in (f"/invoices/{saved_invoice}/edit", "/invoices/lines", "/invoices/totals"):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "cannot be one, so nothing was changed" in response.get_data(as_text=True)
    assert lines_of(app, saved_invoice) == [(before.lines[0].id, "Beans", "li-beans")]


@pytest.mark.parametrize("product_id", [LONG_ID, "²", str(2**64)])
def test_choosing_an_unreadable_product_is_a_400(client, ada, records, product_id):
    client_id = records.client(ada, name="Bayside Café")
    data = invoice_form(client_id, [{"product_id": product_id, "description": "x"}],
                        op="product-0")

    response = client.post("/invoices/lines", data=data, headers={"HX-Request": "true"})

    assert response.status_code == 400
