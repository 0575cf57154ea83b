"""Purchase order list (filters, paging), detail (tabs, totals) and numbering."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xeroapp.models import PurchaseOrderLine
from xeroapp.purchase_orders.numbering import number_taken, suggest_number


def test_list_filters_by_status_supplier_and_search(client, shop, records):
    other_supplier = records.supplier(shop.workspace_id, name="Beans Importers")
    records.purchase_order(shop.workspace_id, number="PO-0001", supplier_id=shop.supplier_id)
    records.purchase_order(shop.workspace_id, number="PO-0002", supplier_id=other_supplier,
                           status="ordered", reference="Urgent beans")

    ordered = client.get("/purchase-orders/?status=ordered").get_data(as_text=True)
    by_supplier = client.get(f"/purchase-orders/?supplier={shop.supplier_id}").get_data(as_text=True)
    searched = client.get("/purchase-orders/?q=urgent").get_data(as_text=True)
    nothing = client.get("/purchase-orders/?status=draft&supplier=" + str(other_supplier))

    assert ">PO-0002<" in ordered and ">PO-0001<" not in ordered
    assert ">PO-0001<" in by_supplier and ">PO-0002<" not in by_supplier
    assert ">PO-0002<" in searched and ">PO-0001<" not in searched
    assert "No purchase orders match" in nothing.get_data(as_text=True)
    assert '<option value="ordered" selected>Ordered</option>' in ordered


def test_list_filter_is_a_fragment_for_htmx_and_paging_keeps_filters(client, shop, records):
    for i in range(51):
        records.purchase_order(shop.workspace_id, number=f"PO-{i:04d}", supplier_id=shop.supplier_id)
    fragment = client.get(f"/purchase-orders/?supplier={shop.supplier_id}",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="purchase-orders-table"' in fragment
    assert f'href="/purchase-orders/?supplier={shop.supplier_id}&amp;page=2"' in fragment


def test_detail_shows_lines_totals_and_tabs(client, shop, records):
    po_id = records.purchase_order(shop.workspace_id, supplier_id=shop.supplier_id, lines=[
        PurchaseOrderLine(position=0, product_id=shop.cups_id, description="Cups",
                          quantity=Decimal("2"), unit_cost=Decimal("10"), tax_type="INPUT2"),
    ])
    body = client.get(f"/purchase-orders/{po_id}").get_data(as_text=True)
    assert 'role="tablist"' in body
    assert 'id="tab-details"' in body and 'aria-selected="true">Details</a>' in body
    assert 'id="panel-xero" role="tabpanel" aria-labelledby="tab-xero" hidden' in body
    assert "15% GST on Expenses" in body and "NZD 23.00" in body  # 20 + 3 tax

    xero_tab = client.get(f"/purchase-orders/{po_id}?tab=xero").get_data(as_text=True)
    assert 'aria-selected="true">Xero</a>' in xero_tab
    assert 'id="panel-details" role="tabpanel" aria-labelledby="tab-details" hidden' in xero_tab
    assert "Save to Xero is off" in xero_tab


@pytest.mark.parametrize(("existing", "expected"), [
    ([], "PO-0001"),
    (["PO-0001", "PO-0009", "Custom-77"], "PO-0010"),
    (["po-0041"], "PO-0042"),
    (["PO-9999"], "PO-10000"),
])
def test_suggested_number(app, records, existing, expected):
    workspace_id = records.workspace()
    for number in existing:
        records.purchase_order(workspace_id, number=number)
    with app.app_context():
        assert suggest_number(workspace_id) == expected


def test_numbers_are_unique_per_workspace_only(app, records):
    mine, other = records.workspace(), records.workspace("Two", "two@example.com")
    records.purchase_order(other, number="PO-0001")
    po_id = records.purchase_order(mine, number="PO-0005")
    with app.app_context():
        assert suggest_number(mine) == "PO-0006"
        assert not number_taken(mine, "PO-0001")
        assert number_taken(mine, " po-0005 ")
        assert not number_taken(mine, "PO-0005", exclude_id=po_id)
