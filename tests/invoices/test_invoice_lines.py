"""The lines block endpoint: add a row, remove a row, fill a row from a product."""
from __future__ import annotations

from decimal import Decimal as D

from tests.invoices.conftest import input_value, invoice_form


def post_lines(client, data, op):
    return client.post("/invoices/lines", data={**data, "op": op}, headers={"HX-Request": "true"})


def test_add_appends_an_empty_row_and_keeps_the_others(client, ada, records):
    data = invoice_form(records.client(ada), [{"description": "Beans", "quantity": "2",
                                               "unit_price": "12.50"}])

    body = post_lines(client, data, "add").get_data(as_text=True)

    assert body.lstrip().startswith('<div id="invoice-lines"')
    assert input_value(body, "lines-0-description") == "Beans"
    assert input_value(body, "lines-1-description") == ""
    assert input_value(body, "lines-1-quantity") == "1"
    assert '<output id="line-amount-0">25.00</output>' in body
    assert "NZD 28.75" in body  # totals come back with the block


def test_remove_drops_the_row_and_renumbers(client, ada, records):
    data = invoice_form(records.client(ada), [
        {"description": "Beans", "quantity": "1", "unit_price": "10"},
        {"description": "Cups", "quantity": "1", "unit_price": "20"},
        {"description": "Lids", "quantity": "1", "unit_price": "30"},
    ])

    body = post_lines(client, data, "remove-1").get_data(as_text=True)

    assert [input_value(body, f"lines-{i}-description") for i in range(3)] == ["Beans", "Lids", None]
    assert "NZD 46.00" in body  # (10 + 30) + 15% GST


def test_removing_the_last_row_leaves_an_empty_one(client, ada, records):
    data = invoice_form(records.client(ada), [{"description": "Beans", "unit_price": "1"}])

    body = post_lines(client, data, "remove-0").get_data(as_text=True)

    assert input_value(body, "lines-0-description") == ""


def test_choosing_a_product_fills_the_row(client, ada, records):
    product = records.product(ada, sku="BEAN-1KG", name="House blend beans 1 kg",
                              sale_price=D("32.00"), sales_account_code="200", tax_type="NONE")
    data = invoice_form(records.client(ada), [
        {"description": "Cups", "quantity": "1", "unit_price": "20"},
        {"product_id": product, "description": "", "quantity": "2"},
    ])

    body = post_lines(client, data, "product-1").get_data(as_text=True)

    assert input_value(body, "lines-0-description") == "Cups"
    assert input_value(body, "lines-1-description") == "House blend beans 1 kg"
    assert input_value(body, "lines-1-unit_price") == "32.00"
    assert input_value(body, "lines-1-account_code") == "200"
    assert input_value(body, "lines-1-quantity") == "2"  # the quantity typed is kept
    assert '<option selected value="NONE">' in body
    assert '<output id="line-amount-1">64.00</output>' in body


def test_another_workspaces_product_fills_nothing(client, ada, records):
    theirs = records.product(records.workspace(), sku="SECRET", name="Their secret",
                             sale_price=D("99"))
    data = invoice_form(records.client(ada), [{"product_id": theirs, "description": "Mine"}])

    body = post_lines(client, data, "product-0").get_data(as_text=True)

    assert "Their secret" not in body and input_value(body, "lines-0-description") == "Mine"


def test_lines_endpoint_needs_csrf(client, ada):
    assert client.post("/invoices/lines", data={"op": "add"}, csrf=False).status_code == 400
