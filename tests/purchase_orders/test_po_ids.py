"""Line ids, row numbers and ids posted with a purchase order: one that cannot be an id is
refused (a form message, or 400 from the htmx endpoints) and nothing is saved."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.purchase_orders.conftest import po_form
from tests.purchase_orders.test_po_form import load_orders
from xeroapp.models import PurchaseOrderLine

LONG_ID = "9" * 4400
HTMX = {"HX-Request": "true"}


@pytest.fixture
def order(shop, records) -> int:
    return records.purchase_order(shop.workspace_id, number="PO-0003", supplier_id=shop.supplier_id,
                                  lines=[PurchaseOrderLine(position=0, description="Keep",
                                                           quantity=Decimal("1"),
                                                           unit_cost=Decimal("2"))])


@pytest.mark.parametrize("line_id", [LONG_ID, "²", str(2**63)])
def test_an_unreadable_line_id_is_refused_and_nothing_saved(app, client, shop, order, line_id):
    [before] = load_orders(app)

    response = client.post(f"/purchase-orders/{order}/edit",
                           data=po_form(shop, number="PO-0003", **{"lines-0-line_id": line_id}))

    assert response.status_code == 422
    assert "carries an id that cannot be one, so nothing was saved" in response.get_data(as_text=True)
    [after] = load_orders(app)
    assert [(line.id, line.description) for line in after.lines] == [(before.lines[0].id, "Keep")]


@pytest.mark.parametrize("op", ["remove-²", f"remove-{LONG_ID}", "product-١", f"product-{LONG_ID}"])
def test_an_unreadable_row_in_a_lines_request_is_a_400(client, shop, op):
    response = client.post("/purchase-orders/form/lines", data=po_form(shop, op=op), headers=HTMX)

    assert response.status_code == 400


@pytest.mark.parametrize("fields", [
    {"purchase_order_id": LONG_ID}, {"purchase_order_id": str(2**63)},
    {"lines-0-product_id": LONG_ID, "op": "product-0"}, {"lines-²-description": "Extra"},
])
def test_unreadable_ids_in_the_htmx_requests_are_a_400(client, shop, order, fields):
    urls = ["/purchase-orders/form/lines"]
    if "op" not in fields:  # choosing a product is a lines request only
        urls.append("/purchase-orders/form/totals")
    for url in urls:
        response = client.post(url, data=po_form(shop, **{"op": "add", **fields}), headers=HTMX)
        assert response.status_code == 400, (url, fields)
