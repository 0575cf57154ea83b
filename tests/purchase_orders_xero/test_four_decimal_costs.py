"""Four-decimal unit costs reach Xero as they are: on the order (Xero keeps 4 places on
purchase orders, no parameter needed) and on the Items the missing-products dialog creates
(PUT /Items?unitdp=4), with Xero's totals equal to the ones our order page shows."""
from __future__ import annotations

import re
from decimal import Decimal

from tests.purchase_orders_xero.po_support import (add_item, dialog, held_orders, order_form,
                                                   order_id_by_number, save_order, submit_dialog)
from tests.sync.push_support import text_of

CABLE = [("CABLE", "3", "10.1234")]


def add_cable(desk, shop, records) -> None:
    shop.products["CABLE"] = records.product(desk.workspace_id, sku="CABLE", name="Cable per metre",
                                             cost_price=Decimal("10.1234"),
                                             purchase_account_code="300")


def page_total(desk, order_id: int) -> Decimal:
    page = text_of(desk.client.get(f"/purchase-orders/{order_id}").get_data(as_text=True))
    assert "10.1234" in page  # the unit cost as kept, not rounded for show
    return Decimal(re.search(r"Total NZD ([\d,]+\.\d\d)", page).group(1).replace(",", ""))


def test_a_four_place_unit_cost_reaches_xero_and_the_total_is_ours(desk, shop, records):
    add_cable(desk, shop, records)
    add_item(desk, "CABLE")

    save_order(desk, order_form(shop, CABLE))
    desk.drain()

    (order,) = held_orders(desk)
    line = order["LineItems"][0]
    assert (line["UnitAmount"], line["LineAmount"], order["TotalTax"]) == (10.1234, 30.37, 4.56)
    assert Decimal(str(order["Total"])) == page_total(desk, order_id_by_number(desk)) == Decimal("34.93")


def test_a_missing_product_is_created_with_its_four_place_cost(desk, shop, records):
    add_cable(desk, shop, records)
    save_order(desk, order_form(shop, CABLE))
    desk.drain()
    order_id = order_id_by_number(desk)
    assert "10.1234" in text_of(dialog(desk, order_id))  # the price it will be created with

    assert submit_dialog(desk, order_id).status_code == 200
    desk.drain()

    (item,) = [i for i in desk.held("items") if i["Code"] == "CABLE"]
    assert item["PurchaseDetails"]["UnitPrice"] == 10.1234
    (order,) = held_orders(desk)
    assert order["LineItems"][0]["UnitAmount"] == 10.1234
    assert Decimal(str(order["Total"])) == page_total(desk, order_id)
