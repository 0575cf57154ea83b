"""Pure mapping functions: our records -> Xero JSON, and where-filter escaping."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from xeroapp.xero import mapping


def line(**values):
    base = dict(description="Beans", quantity=Decimal("2.0000"), unit_price=Decimal("12.5000"),
                discount_rate=None, account_code=None, tax_type=None, xero_line_item_id=None,
                product=None, product_id=None)
    return SimpleNamespace(**{**base, **values})


def invoice(**values):
    base = dict(number="INV-1", reference=None, issue_date=date(2026, 11, 1), due_date=None,
                amount_type="Exclusive", currency="NZD", lines=[line()])
    return SimpleNamespace(**{**base, **values})


@pytest.mark.parametrize("value, literal", [
    ("O'Brien & Sons", '"O\'Brien & Sons"'),
    ('The "Best" + Co', '"The \\"Best\\" + Co"'),
    ("Back\\slash", '"Back\\\\slash"'),
])
def test_where_strings_escape_quotes_and_backslashes(value, literal):
    assert mapping.where_string(value) == literal


def test_contact_numbers_name_the_kind_and_id():
    assert mapping.contact_number("client", 7) == "XA-C-7"
    assert mapping.contact_number("supplier", 7) == "XA-S-7"


def test_line_defaults_fill_only_what_the_line_leaves_out():
    defaults = mapping.LineDefaults("200", "OUTPUT2")
    body = mapping.invoice(invoice(lines=[line(), line(account_code="260", tax_type="NONE")]),
                           "c-1", defaults, create=True)
    assert [(l["AccountCode"], l["TaxType"]) for l in body["LineItems"]] == [
        ("200", "OUTPUT2"), ("260", "NONE")]
    assert body["Status"] == "DRAFT" and body["Contact"] == {"ContactID": "c-1"}
    assert "DueDate" not in body


def test_no_tax_invoices_take_no_default_tax_rate():
    body = mapping.invoice(invoice(amount_type="NoTax"), "c-1", mapping.LineDefaults("200", "OUTPUT2"),
                           create=False)
    assert "TaxType" not in body["LineItems"][0] and "Status" not in body


def test_update_keeps_line_item_ids_and_item_codes_of_linked_products():
    product = SimpleNamespace(name="Beans 1 kg", sales_account_code="260", tax_type=None)
    lines = [line(xero_line_item_id="li-1", product=product, product_id=5, description="")]
    body = mapping.invoice(invoice(lines=lines), "c-1", mapping.LineDefaults(), create=False,
                           item_codes={5: "BEAN-1KG"})
    (sent,) = body["LineItems"]
    assert sent == {"Description": "Beans 1 kg", "Quantity": 2.0, "UnitAmount": 12.5,
                    "AccountCode": "260", "ItemCode": "BEAN-1KG", "LineItemID": "li-1"}
