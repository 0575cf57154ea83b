"""Purchase orders with many products, and SKUs Xero's ``where`` cannot hold: the products are
looked up in as few calls as Xero's servers take (they refuse a query string over 2,048
characters with a 404), and a code with a double quote is found all the same."""
from __future__ import annotations

from decimal import Decimal

from tests.purchase_orders_xero.po_support import dialog, held_orders, submit_dialog
from tests.sync.push_support import text_of
from xeroapp.models import PurchaseOrderLine
from xeroapp.xero.client import MAX_URL_LENGTH, XeroClient


def sku(n: int) -> str:
    """SKUs with spaces, slashes and ampersands: each takes more room once URL-encoded."""
    return f"HEX BOLT M8/40 & NUT #{n:03d}"


def add_items(desk, codes: list[str]) -> None:
    """Items keyed into Xero by hand (through the API, as another app would), in one call."""
    with desk.app.app_context():
        XeroClient.for_workspace(desk.workspace_id).accounting(
            "PUT", "Items", json={"Items": [{"Code": code, "Name": code} for code in codes]})


def order_of(desk, records, skus: list[str]) -> int:
    supplier_id = records.supplier(desk.workspace_id, name="Fasteners & Co")
    lines = []
    for code in skus:
        product_id = records.product(desk.workspace_id, sku=code, name=f"Product {code}",
                                     cost_price=Decimal("1.25"))
        lines.append(PurchaseOrderLine(product_id=product_id, description=f"Product {code}",
                                       quantity=Decimal("10"), unit_cost=Decimal("1.25"),
                                       tax_type="INPUT2"))
    return records.purchase_order(desk.workspace_id, number="PO-0075", supplier_id=supplier_id,
                                  lines=lines)


def item_lookups(counted) -> list[str]:
    return [where for method, path, where in counted.calls
            if method == "GET" and path.endswith("/Items")]


def test_75_products_half_missing_are_found_in_two_lookups_and_the_rest_created(
        desk, records, counted):
    skus = [sku(n) for n in range(75)]
    add_items(desk, skus[::2])  # 38 already in Xero
    order_id = order_of(desk, records, skus)
    counted.calls.clear()

    panel = desk.send("purchase_order", order_id)

    assert "Not in Xero: products missing" in text_of(panel)
    wheres = item_lookups(counted)
    assert 1 < len(wheres) <= 3
    assert sum(w.count("Code==") for w in wheres) == 75  # every code asked for once
    assert all(len(url) <= MAX_URL_LENGTH for url in counted.urls("GET", "Items"))
    missing = text_of(dialog(desk, order_id))
    assert "Create 37 products in Xero" in missing
    assert sku(1) in missing and sku(0) not in missing

    assert submit_dialog(desk, order_id).status_code == 200
    desk.drain()

    (order,) = held_orders(desk)
    assert [line["ItemCode"] for line in order["LineItems"]] == skus
    assert len(desk.held("items")) == 75


def test_75_products_all_in_xero_go_straight_through(desk, records, counted):
    skus = [sku(n) for n in range(75)]
    add_items(desk, skus)
    order_id = order_of(desk, records, skus)

    panel = desk.send("purchase_order", order_id)

    assert "In Xero" in text_of(panel)
    (order,) = held_orders(desk)
    assert len(order["LineItems"]) == 75
    assert len(desk.held("items")) == 75  # none created twice


def test_a_sku_with_a_double_quote_is_found_and_created(desk, records, counted):
    """Inch marks are common in trade SKUs; Xero's where cannot hold the quote."""
    add_items(desk, ['PIPE-1/2"', 'PIPE-1/2" ELBOW'])  # the second shares the part searched
    order_id = order_of(desk, records, ['PIPE-1/2"', 'PIPE-3/4"', "TAPE"])
    counted.calls.clear()

    desk.send("purchase_order", order_id)

    assert all('\\"' not in where for where in item_lookups(counted))
    missing = text_of(dialog(desk, order_id))
    assert "Create 2 products in Xero" in missing and 'PIPE-3/4"' in missing

    submit_dialog(desk, order_id)
    desk.drain()

    (order,) = held_orders(desk)
    assert [line["ItemCode"] for line in order["LineItems"]] == ['PIPE-1/2"', 'PIPE-3/4"', "TAPE"]
    assert sorted(i["Code"] for i in desk.held("items")) == [
        'PIPE-1/2"', 'PIPE-1/2" ELBOW', 'PIPE-3/4"', "TAPE"]


def test_a_lookup_xeros_servers_refuse_says_so_on_the_panel(desk, records, monkeypatch):
    """Should Xero's limit ever be lower than we allow for: its servers' 404 page is
    explained, not "Something went wrong on our side", and the order is kept as it was."""
    from xeroapp.xero import client as xero_client

    monkeypatch.setattr(xero_client, "MAX_URL_LENGTH", 10_000)
    order_id = order_of(desk, records, [sku(n) for n in range(75)])

    panel = text_of(desk.send("purchase_order", order_id))

    assert "Something went wrong" not in panel
    assert ("Could not search Xero for this purchase order: Xero's servers refused the search "
            "as too long (HTTP 404 for a URL of") in panel and "Try again" in panel
    (job,) = desk.jobs("purchase_order", order_id)
    assert job.status == "failed" and held_orders(desk) == []
