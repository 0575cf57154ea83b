"""Creating and editing purchase orders: what is stored, defaults, every validation message."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tests.purchase_orders.conftest import po_form
from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder, PurchaseOrderLine, Workspace


def load_orders(app) -> list[PurchaseOrder]:
    with app.app_context():
        orders = db.session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.id)).all()
        for order in orders:
            order.lines  # load before detaching
        db.session.expunge_all()
        return orders


def set_save_to_xero_default(app, workspace_id: int, value: bool) -> None:
    with app.app_context():
        db.session.get(Workspace, workspace_id).po_save_to_xero_default = value
        db.session.commit()


def test_create_persists_exactly_what_was_entered(app, client, shop):
    response = client.post("/purchase-orders/new", data=po_form(shop, save_to_xero="y"))
    [po] = load_orders(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/purchase-orders/{po.id}"
    assert (po.workspace_id, po.supplier_id, po.number, po.order_date, po.delivery_date,
            po.reference, po.status, po.amount_type, po.currency, po.save_to_xero) == (
        shop.workspace_id, shop.supplier_id, "PO-0001", date(2026, 11, 20), date(2026, 11, 27),
        "Restock", "draft", "Exclusive", "NZD", True)
    assert (po.delivery_address, po.attention_to, po.telephone, po.delivery_instructions) == (
        "4 Colombo Street\nChristchurch 8011", "Mere Tipene", "03 555 0133",
        "Back door, before 10am")
    assert [(l.position, l.product_id, l.description, l.quantity, l.unit_cost, l.tax_type,
             l.account_code) for l in po.lines] == [
        (0, shop.cups_id, "Cups 8 oz", Decimal("10"), Decimal("95"), "INPUT2", "300"),
        (1, None, "Pallet hire", Decimal("1.5"), Decimal("12.3456"), "NONE", None),
    ]
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Purchase order PO-0001 created." in body


def test_save_to_xero_off_is_stored_off(app, client, shop):
    set_save_to_xero_default(app, shop.workspace_id, True)
    client.post("/purchase-orders/new", data=po_form(shop))  # checkbox not sent = unticked
    assert load_orders(app)[0].save_to_xero is False


def test_new_form_defaults(app, client, shop, records):
    body = client.get("/purchase-orders/new").get_data(as_text=True)
    assert 'name="number" required type="text" value="PO-0001"' in body
    assert f'name="order_date" required type="date" value="{date.today().isoformat()}"' in body
    assert 'name="save_to_xero" type="checkbox" value="y">' in body  # not checked: Settings off
    assert "Off: the purchase order stays in this app (recommended for drafts)." in body


def test_save_to_xero_default_comes_from_settings(app, client, shop):
    set_save_to_xero_default(app, shop.workspace_id, True)
    body = client.get("/purchase-orders/new").get_data(as_text=True)
    assert 'checked id="save_to_xero" name="save_to_xero" type="checkbox"' in body


def test_new_form_suggests_next_number_and_reuses_last_delivery_details(client, shop, records):
    records.purchase_order(shop.workspace_id, number="PO-0007", supplier_id=shop.supplier_id,
                           delivery_address="1 Wharf Rd", attention_to="Sam", telephone="021 1")
    body = client.get(f"/purchase-orders/new?supplier_id={shop.supplier_id}").get_data(as_text=True)
    assert 'value="PO-0008"' in body
    assert "1 Wharf Rd</textarea>" in body and 'value="Sam"' in body and 'value="021 1"' in body
    assert f'<option selected value="{shop.supplier_id}">Pacific Paper Co.</option>' in body


def test_product_choices_include_unpublished_and_shipping(client, shop):
    body = client.get("/purchase-orders/new").get_data(as_text=True)
    assert "LID-8OZ – Lids 8 oz" in body and "SHIPPING – Shipping and Handling" in body


def test_empty_rows_are_ignored_and_product_name_fills_a_blank_description(app, client, shop):
    data = po_form(shop, **{"lines-0-description": "", "lines-1-description": "",
                            "lines-1-unit_cost": "", "lines-2-quantity": "1"})
    response = client.post("/purchase-orders/new", data=data)
    [po] = load_orders(app)
    assert response.status_code == 302
    assert [(l.description, l.product_id) for l in po.lines] == [("Cups 8 oz", shop.cups_id)]


def test_validation_messages_keep_everything_entered(app, client, shop, records):
    records.purchase_order(shop.workspace_id, number="PO-0009")
    theirs = records.supplier(records.workspace(), name="Their Supplier")
    cases = [
        ({"supplier_id": ""}, "Choose a supplier."),
        ({"supplier_id": str(theirs)}, "Choose a supplier."),
        ({"number": ""}, "Enter a purchase order number."),
        ({"number": "po-0009"}, "Another purchase order already has this number."),
        ({"order_date": ""}, "Enter the order date."),
        ({"delivery_date": "2026-11-19"}, "The delivery date cannot be before the order date."),
        ({"delivery_instructions": "x" * 501}, "Use at most 500 characters (Xero&#39;s limit)."),
        ({"lines-0-quantity": "0"}, "Quantity must be more than 0."),
        ({"lines-0-quantity": "-2"}, "Quantity must be more than 0."),
        ({"lines-0-quantity": ""}, "Enter a quantity."),
        ({"lines-0-quantity": "two"}, "Enter a quantity, like 2 or 1.5."),
        ({"lines-0-unit_cost": "-0.01"}, "Unit cost cannot be negative."),
        ({"lines-1-unit_cost": ""}, "Enter a unit cost (0 or more)."),
        ({"lines-1-description": "", "lines-1-unit_cost": "3"}, "Enter a description or choose a product."),
        ({"lines-0-product_id": "999999"}, "Not a valid choice."),
    ]
    for override, message in cases:
        response = client.post("/purchase-orders/new", data=po_form(shop, **override))
        body = response.get_data(as_text=True)
        assert response.status_code == 422, override
        assert message in body, override
        assert "The purchase order was not saved" in body
        # everything typed comes back, the faulty value included
        assert 'value="Restock"' in body and 'value="Mere Tipene"' in body, override
        assert "Pallet hire</textarea>" in body or "lines-1-description" in override, override
        for key, value in override.items():
            assert value in body or key.endswith("_id") or value == "", override
        if "lines-1-unit_cost" not in override:
            assert 'value="12.3456"' in body, override
    assert [po.number for po in load_orders(app)] == ["PO-0009"]


def test_an_order_needs_at_least_one_line(app, client, shop):
    data = {k: v for k, v in po_form(shop).items() if not k.startswith("lines-")}
    response = client.post("/purchase-orders/new", data=data)
    assert response.status_code == 422
    assert "Add at least one line." in response.get_data(as_text=True)
    assert load_orders(app) == []


def test_edit_updates_lines_in_place(app, client, shop, records):
    po_id = records.purchase_order(shop.workspace_id, number="PO-0003", supplier_id=shop.supplier_id,
                                   lines=[
        PurchaseOrderLine(position=0, description="Keep", quantity=Decimal("1"),
                          unit_cost=Decimal("2"), xero_line_item_id="xero-line-1"),
        PurchaseOrderLine(position=1, description="Drop", quantity=Decimal("1"),
                          unit_cost=Decimal("2")),
    ])
    [before] = load_orders(app)
    keep, drop = before.lines
    form = client.get(f"/purchase-orders/{po_id}/edit").get_data(as_text=True)
    assert f'name="lines-0-line_id" type="hidden" value="{keep.id}"' in form

    response = client.post(f"/purchase-orders/{po_id}/edit", data={
        **{k: v for k, v in po_form(shop, number="PO-0003", save_to_xero="y").items()
           if not k.startswith("lines-")},
        "lines-0-line_id": str(keep.id), "lines-0-description": "Kept, edited",
        "lines-0-quantity": "3", "lines-0-unit_cost": "4", "lines-0-tax_type": "",
        "lines-0-product_id": "",
        "lines-1-line_id": "", "lines-1-description": "New", "lines-1-quantity": "1",
        "lines-1-unit_cost": "0", "lines-1-tax_type": "", "lines-1-product_id": "",
    })
    [after] = load_orders(app)
    assert response.headers["Location"] == f"/purchase-orders/{po_id}"
    assert [(l.id == keep.id, l.description, l.quantity, l.xero_line_item_id) for l in after.lines] == [
        (True, "Kept, edited", Decimal("3"), "xero-line-1"), (False, "New", Decimal("1"), None)]
    assert drop.id not in {l.id for l in after.lines}
    assert (after.save_to_xero, after.version) == (True, 2)


def test_edit_keeps_its_own_number_but_not_anothers(app, client, shop, records):
    po_id = records.purchase_order(shop.workspace_id, number="PO-0003", supplier_id=shop.supplier_id)
    records.purchase_order(shop.workspace_id, number="PO-0004")
    same = client.post(f"/purchase-orders/{po_id}/edit", data=po_form(shop, number="PO-0003"))
    clash = client.post(f"/purchase-orders/{po_id}/edit", data=po_form(shop, number="PO-0004"))
    assert same.status_code == 302
    assert clash.status_code == 422
    assert "Another purchase order already has this number." in clash.get_data(as_text=True)


def test_another_workspaces_order_cannot_be_edited(app, client, shop, records):
    theirs = records.purchase_order(records.workspace(), number="THEIRS")
    assert client.post(f"/purchase-orders/{theirs}/edit", data=po_form(shop)).status_code == 404
    assert [po.number for po in load_orders(app)] == ["THEIRS"]


def test_a_number_taken_between_check_and_save_is_reported_not_raised(app, client, shop, records,
                                                                       monkeypatch):
    records.purchase_order(shop.workspace_id, number="PO-0001")
    # as if another person saved PO-0001 just after this form was checked
    monkeypatch.setattr("xeroapp.purchase_orders.forms.number_taken", lambda *args, **kw: False)
    response = client.post("/purchase-orders/new", data=po_form(shop, number="PO-0001"))
    assert response.status_code == 422
    assert "Another purchase order already has this number." in response.get_data(as_text=True)
    assert [po.number for po in load_orders(app)] == ["PO-0001"]


def test_a_number_differing_only_in_case_saved_meanwhile_is_reported_not_raised(
        app, client, shop, records, monkeypatch):
    records.purchase_order(shop.workspace_id, number="po-0001")
    editing = records.purchase_order(shop.workspace_id, number="PO-0002",
                                     supplier_id=shop.supplier_id)
    monkeypatch.setattr("xeroapp.purchase_orders.forms.number_taken", lambda *args, **kw: False)

    new = client.post("/purchase-orders/new", data=po_form(shop, number="PO-0001"))
    edit = client.post(f"/purchase-orders/{editing}/edit", data=po_form(shop, number="Po-0001"))

    for response in (new, edit):
        assert response.status_code == 422
        assert "Another purchase order already has this number." in response.get_data(as_text=True)
    assert sorted(po.number for po in load_orders(app)) == ["PO-0002", "po-0001"]
