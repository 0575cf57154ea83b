"""The htmx parts of the purchase order form: line rows and live totals (nothing is saved)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from tests.purchase_orders.conftest import po_form
from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrder
from xeroapp.models.catalogue import SHIPPING_PRODUCT_SKU

HTMX = {"HX-Request": "true"}


def post_lines(client, data: dict, op: str):
    return client.post("/purchase-orders/form/lines", data={**data, "op": op}, headers=HTMX)


def row_values(body: str, field: str) -> list[str]:
    """The value of ``lines-N-<field>`` inputs, in row order."""
    return re.findall(rf'name="lines-\d+-{field}"[^>]*value="([^"]*)"', body)


def totals_of(body: str) -> tuple[str, ...]:
    block = body[body.index('id="po-totals"'):]
    return tuple(re.findall(r"<dd[^>]*>(?:NZD )?([\d,.]+)</dd>", block))


def test_add_line_keeps_everything_typed(client, shop):
    data = po_form(shop, **{"lines-0-quantity": "1.", "lines-1-unit_cost": "12.3"})
    body = post_lines(client, data, "add").get_data(as_text=True)
    assert row_values(body, "quantity") == ["1.", "1.5", "1"]
    assert row_values(body, "unit_cost") == ["95.00", "12.3", ""]
    assert "<html" not in body and body.lstrip().startswith('<div id="po-lines"')


def test_remove_renumbers_the_rows(client, shop):
    body = post_lines(client, po_form(shop), "remove-0").get_data(as_text=True)
    assert row_values(body, "unit_cost") == ["12.3456"]
    assert 'name="lines-0-description"' in body and "lines-1-" not in body


def test_removing_the_last_row_leaves_an_empty_one(client, shop):
    data = {k: v for k, v in po_form(shop).items() if not k.startswith("lines-1-")}
    body = post_lines(client, data, "remove-0").get_data(as_text=True)
    assert row_values(body, "quantity") == ["1"] and row_values(body, "unit_cost") == [""]


def test_choosing_a_product_fills_description_cost_and_tax(client, shop):
    data = po_form(shop, **{"lines-1-product_id": str(shop.cups_id)})
    body = post_lines(client, data, "product-1").get_data(as_text=True)
    assert "Cups 8 oz</textarea>" in body.split('name="lines-1-description"')[1][:200]
    assert row_values(body, "unit_cost") == ["95.00", "95.00"]
    assert row_values(body, "quantity") == ["10", "1.5"]  # quantity is left alone
    assert '<option selected value="INPUT2">' in body.split('name="lines-1-tax_type"')[1]


def test_another_workspaces_product_fills_nothing(client, shop, records):
    theirs = records.product(records.workspace(), sku="THEIRS", name="Their product",
                             cost_price=1)
    data = po_form(shop, **{"lines-1-product_id": str(theirs)})
    body = post_lines(client, data, "product-1").get_data(as_text=True)
    assert "Their product" not in body and row_values(body, "unit_cost")[1] == "12.3456"


def test_add_shipping_adds_the_shipping_product(app, client, shop):
    with app.app_context():
        shipping_id = db.session.scalar(sa.select(Product.id).where(
            Product.workspace_id == shop.workspace_id, Product.sku == SHIPPING_PRODUCT_SKU))
    body = post_lines(client, po_form(shop), "shipping").get_data(as_text=True)
    third_row = body.split('name="lines-2-product_id"')[1]
    assert f'<option selected value="{shipping_id}">SHIPPING – Shipping and Handling' in third_row
    assert "Shipping and Handling</textarea>" in body


def test_add_shipping_fills_a_trailing_empty_row(client, shop):
    data = po_form(shop, **{"lines-2-quantity": "1", "lines-2-description": "",
                            "lines-2-unit_cost": "", "lines-2-product_id": ""})
    body = post_lines(client, data, "shipping").get_data(as_text=True)
    assert "lines-3-" not in body and "Shipping and Handling</textarea>" in body


def test_unknown_operation_is_refused(client, shop):
    assert post_lines(client, po_form(shop), "explode").status_code == 400


def test_rows_and_totals_save_nothing(app, client, shop):
    post_lines(client, po_form(shop), "add")
    client.post("/purchase-orders/form/totals", data=po_form(shop), headers=HTMX)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 0


def test_totals_exclusive(client, shop):
    # 10 x 95.00 at 15% + 1.5 x 12.3456 (= 18.52) at 0%
    body = client.post("/purchase-orders/form/totals", data=po_form(shop),
                       headers=HTMX).get_data(as_text=True)
    assert totals_of(body) == ("968.52", "142.50", "1,111.02")
    assert '<span id="line-amount-0" hx-swap-oob="true">950.00</span>' in body
    assert '<span id="line-amount-1" hx-swap-oob="true">18.52</span>' in body


def test_totals_inclusive(client, shop):
    body = client.post("/purchase-orders/form/totals", data=po_form(shop, amount_type="Inclusive"),
                       headers=HTMX).get_data(as_text=True)
    # tax inside 950.00 at 15% = 123.91; the total is what was entered
    assert totals_of(body) == ("844.61", "123.91", "968.52")
    assert "Includes tax" in body


def test_totals_no_tax(client, shop):
    body = client.post("/purchase-orders/form/totals", data=po_form(shop, amount_type="NoTax"),
                       headers=HTMX).get_data(as_text=True)
    assert totals_of(body) == ("968.52", "968.52")


def test_account_default_counts_the_standard_purchase_rate(client, shop):
    data = po_form(shop, **{"lines-0-tax_type": "", "lines-1-tax_type": ""})
    body = client.post("/purchase-orders/form/totals", data=data, headers=HTMX).get_data(as_text=True)
    assert totals_of(body) == ("968.52", "145.28", "1,113.80")  # 142.50 + 2.78


def test_totals_tolerate_half_typed_numbers(client, shop):
    data = po_form(shop, **{"lines-0-quantity": "1.", "lines-1-unit_cost": "abc"})
    response = client.post("/purchase-orders/form/totals", data=data, headers=HTMX)
    assert response.status_code == 200
    assert totals_of(response.get_data(as_text=True)) == ("95.00", "14.25", "109.25")


def test_the_form_wires_the_live_parts(client, shop):
    body = client.get("/purchase-orders/new").get_data(as_text=True)
    assert 'hx-post="/purchase-orders/form/totals"' in body
    assert body.count("data-live-total") >= 4  # amount type, quantity, unit cost, tax rate
    assert 'hx-vals=\'{"op": "shipping"}\'' in body and "+ Add shipping" in body
