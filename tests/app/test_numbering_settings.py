"""Settings › Document numbers: choosing Xero's numbering or our own prefix and next number,
bad input refused with a message (nothing saved), and what the invoice and PO forms offer."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Workspace

GOOD = {"document_numbering": "own", "invoice_number_prefix": "INV-", "invoice_number_next": "1",
        "po_number_prefix": "PO-", "po_number_next": "1"}


def saved(app) -> tuple:
    with app.app_context():
        w = db.session.scalar(sa.select(Workspace))
        return (w.document_numbering, w.invoice_number_prefix, w.invoice_number_next,
                w.po_number_prefix, w.po_number_next)


def number_field(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="number"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


@pytest.fixture
def ada(auth):
    assert auth.signup().status_code == 302


def test_a_new_workspace_numbers_its_own_series_from_1(app, client, ada):
    page = client.get("/settings/").get_data(as_text=True)
    assert "Document numbers" in page and "Let Xero number them" in page
    assert re.search(r'<input[^>]*checked[^>]*value="own"|<input[^>]*value="own"[^>]*checked', page)
    assert saved(app) == (None, "INV-", 1, "PO-", 1)
    assert number_field(client, "/invoices/new") == "INV-0001"
    assert number_field(client, "/purchase-orders/new") == "PO-0001"


def test_own_prefix_and_next_number_are_what_new_forms_offer(app, client, ada, records):
    response = client.post("/settings/numbering", data={
        **GOOD, "invoice_number_prefix": " 2026/ ", "invoice_number_next": "17",
        "po_number_prefix": "", "po_number_next": "900"})
    assert response.status_code == 302
    assert saved(app) == ("own", "2026/", 17, "", 900)
    assert number_field(client, "/invoices/new") == "2026/0017"
    assert number_field(client, "/purchase-orders/new") == "0900"
    workspace_id = records.workspace_id_of("ada@example.com")
    records.invoice(workspace_id, number="2026/0040")  # typed past the next number
    assert number_field(client, "/invoices/new") == "2026/0041"


def test_letting_xero_number_them_leaves_new_numbers_empty_but_typable(app, client, ada, records):
    assert client.post("/settings/numbering", data={**GOOD, "document_numbering": "xero"}).status_code == 302
    assert number_field(client, "/invoices/new") == ""
    page = client.get("/invoices/new").get_data(as_text=True)
    assert 'name="number" required' not in page
    assert "Xero gives the next number of its own sequence" in html.unescape(page)
    # A number typed anyway is kept, and still checked against ours.
    workspace_id = records.workspace_id_of("ada@example.com")
    records.invoice(workspace_id, number="INV-0007")
    client_id = records.client(workspace_id, name="Kiwi Coffee")
    form = {"number": "inv-0007", "client_id": str(client_id), "issue_date": "2026-11-02",
            "due_date": "2026-11-16", "reference": "", "currency": "NZD",
            "amount_type": "Exclusive", "lines-0-line_id": "", "lines-0-product_id": "",
            "lines-0-description": "Beans", "lines-0-quantity": "1", "lines-0-unit_price": "5",
            "lines-0-discount_rate": "", "lines-0-account_code": "", "lines-0-tax_type": ""}
    refused = client.post("/invoices/new", data=form)
    assert refused.status_code == 422 and "Another invoice already has this number" in refused.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("document_numbering", "sometimes", "Choose how to number them."),
    ("invoice_number_prefix", "INV 2026-", "Use letters, digits and - _ / . # only, without spaces"),
    ("invoice_number_prefix", "INVOICE-2026-", "Use at most 10 characters (Xero's limit)."),
    ("po_number_prefix", "PO<1>", "Use letters, digits and - _ / . # only"),
    ("invoice_number_next", "", "Enter the next number, like 1."),
    ("invoice_number_next", "ten", "Enter the next number as digits only, like 1 or 1042."),
    ("po_number_next", "1.5", "Enter the next number as digits only, like 1 or 1042."),
    ("po_number_next", "-3", "Enter the next number as digits only, like 1 or 1042."),
    ("po_number_next", "0", "Enter a whole number from 1 to 999,999,999."),
    ("invoice_number_next", "10000000000", "Enter a whole number from 1 to 999,999,999."),
    ("invoice_number_next", "9" * 4301, "Enter a whole number from 1 to 999,999,999."),
    ("po_number_next", "²", "Enter the next number as digits only, like 1 or 1042."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(app, client, ada, field, value, message):
    before = saved(app)
    response = client.post("/settings/numbering", data={**GOOD, field: value})

    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert message in page and "The numbering was not saved" in page
    assert f'value="{value}"' in page or field == "document_numbering"  # what was typed stays
    assert saved(app) == before
