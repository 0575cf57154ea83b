"""Saving a purchase order with "Save to Xero": the PO push end to end (web form -> PushJob
-> worker -> sandbox), with its products already Items in Xero."""
from __future__ import annotations

from tests.purchase_orders_xero.po_support import (add_item, edit_form, held_orders, order_form,
                                                   order_id_by_number, save_order, set_po_status)
from tests.sync.push_support import text_of
from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrder, PushJob, XeroConnection, XeroLink
from xeroapp.products.catalogue import ensure_shipping_product


def test_save_to_xero_off_sends_nothing_and_the_panel_offers_send(desk, shop, counted):
    add_item(desk, "CUP-8OZ")
    counted.calls.clear()
    answer = save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")], save_to_xero=False))
    assert answer.status_code == 302 and "tab=" not in answer.headers["Location"]
    order_id = order_id_by_number(desk)
    desk.drain()

    assert held_orders(desk) == [] and counted.calls == []
    assert desk.jobs("purchase_order", order_id) == []
    panel = text_of(desk.panel("purchase_order", order_id))
    assert "Not in Xero" in panel and "Save to Xero is off" in panel and "Send" in panel

    desk.send("purchase_order", order_id)  # sending anyway is one click on the panel
    assert [o["PurchaseOrderNumber"] for o in held_orders(desk)] == ["PO-0100"]


def test_save_with_xero_on_returns_at_once_then_the_worker_creates_one_po(desk, shop, counted):
    for sku in ("CUP-8OZ", "LID-8OZ"):
        add_item(desk, sku)
    counted.calls.clear()

    answer = save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95"), ("LID-8OZ", "4", "42.5"),
                                               ("", "1.5", "12.3456")]))

    assert answer.status_code == 302 and answer.headers["Location"].endswith("tab=xero")
    order_id = order_id_by_number(desk)
    (job,) = desk.jobs("purchase_order", order_id)
    assert job.status == "queued" and counted.calls == []  # nothing sent during the save
    assert "Queued" in text_of(desk.panel("purchase_order", order_id))

    desk.drain()

    (order,) = held_orders(desk)
    (contact,) = desk.held("contacts")
    assert order["Contact"]["ContactID"] == contact["ContactID"] and contact["Name"] == "Pacific Paper Co."
    assert order["Status"] == "DRAFT"
    assert (order["PurchaseOrderNumber"], order["Reference"]) == ("PO-0100", "Restock")
    assert order["DateString"].startswith("2026-11-20")
    assert order["DeliveryDateString"].startswith("2026-11-27")
    assert order["DeliveryAddress"] == "4 Colombo Street\nChristchurch 8011"
    assert (order["AttentionTo"], order["Telephone"]) == ("Mere Tipene", "03 555 0133")
    assert order["DeliveryInstructions"] == "Back door, before 10am"
    assert (order["LineAmountTypes"], order["CurrencyCode"]) == ("Exclusive", "NZD")
    cups, lids, pallet = order["LineItems"]
    assert (cups["ItemCode"], cups["Description"], cups["Quantity"], cups["UnitAmount"]) == (
        "CUP-8OZ", "Cups 8 oz", 10.0, 95.0)
    assert (cups["AccountCode"], cups["TaxType"]) == ("300", "INPUT2")
    assert lids["ItemCode"] == "LID-8OZ" and lids["UnitAmount"] == 42.5
    assert "ItemCode" not in pallet and pallet["UnitAmount"] == 12.3456 and pallet["TaxType"] == "NONE"
    assert counted.count("GET", "Items") == 1  # one lookup for both products

    with desk.app.app_context():
        stored = db.session.get(PurchaseOrder, order_id)
        assert [l.xero_line_item_id for l in stored.lines] == [l["LineItemID"] for l in order["LineItems"]]
        assert db.session.get(PushJob, job.id).idempotency_key.startswith(
            f"xa-purchase_order-{order_id}-v1-send")
        linked = db.session.scalars(db.select(XeroLink.record_id).filter_by(record_kind="product")).all()
        assert sorted(linked) == sorted([shop.products["CUP-8OZ"], shop.products["LID-8OZ"]])
    assert desk.link("purchase_order", order_id).xero_id == order["PurchaseOrderID"]
    panel = desk.panel("purchase_order", order_id)
    assert "In Xero" in text_of(panel)
    assert f"redirecturl=/Accounts/Payable/PurchaseOrders/View/{order['PurchaseOrderID']}/" in panel


def test_status_comes_from_settings_and_the_purchase_default_account_fills_in(desk, shop, app):
    set_po_status(desk, "AUTHORISED")
    with app.app_context():
        db.session.scalar(db.select(XeroConnection)).purchase_account_code = "429"
        db.session.commit()
    add_item(desk, "SLEEVE")

    save_order(desk, order_form(shop, [("SLEEVE", "3", "18")]))
    desk.drain()

    (order,) = held_orders(desk)
    assert order["Status"] == "AUTHORISED"
    assert order["LineItems"][0]["AccountCode"] == "429"  # the product names no account


def test_saving_again_updates_the_same_po_and_keeps_its_line_ids(desk, shop, counted):
    for sku in ("CUP-8OZ", "LID-8OZ", "STRAW"):
        add_item(desk, sku)
    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95"), ("LID-8OZ", "4", "42.5")]))
    order_id = order_id_by_number(desk)
    desk.drain()
    (before,) = held_orders(desk)
    counted.calls.clear()

    form = edit_form(desk, order_id, **{"reference": "Restock 2", "lines-0-quantity": "12",
                                        "lines-2-line_id": "", "lines-2-product_id": str(shop.products["STRAW"]),
                                        "lines-2-description": "Paper straws", "lines-2-quantity": "100",
                                        "lines-2-unit_cost": "7.25", "lines-2-tax_type": "INPUT2"})
    assert save_order(desk, form, order_id).status_code == 302
    desk.drain()

    (after,) = held_orders(desk)
    assert after["PurchaseOrderID"] == before["PurchaseOrderID"] and after["Reference"] == "Restock 2"
    assert [l["LineItemID"] for l in after["LineItems"][:2]] == [l["LineItemID"] for l in before["LineItems"]]
    assert [l["Quantity"] for l in after["LineItems"]] == [12.0, 4.0, 100.0]
    assert counted.count("PUT", "PurchaseOrders") == 0
    assert counted.count("POST", f"PurchaseOrders/{before['PurchaseOrderID']}") == 1
    assert len(desk.held("contacts")) == 1
    jobs = desk.jobs("purchase_order", order_id)
    assert [(j.action, j.status) for j in jobs] == [("send", "done"), ("update", "done")]
    assert jobs[1].idempotency_key.startswith(f"xa-purchase_order-{order_id}-v2-update")


def test_a_billed_po_is_left_alone_and_the_panel_says_why(desk, shop, counted):
    add_item(desk, "CUP-8OZ")
    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))
    order_id = order_id_by_number(desk)
    desk.drain()
    (order,) = held_orders(desk)
    desk.set_status("purchaseorders", order["PurchaseOrderID"], "BILLED")

    save_order(desk, edit_form(desk, order_id, **{"lines-0-quantity": "20"}), order_id)
    desk.drain()

    (after,) = held_orders(desk)
    assert after["Status"] == "BILLED" and after["LineItems"][0]["Quantity"] == 10.0
    panel = desk.panel("purchase_order", order_id)
    words = text_of(panel)
    assert "Locked in Xero" in words
    assert "This purchase order is BILLED in Xero (a bill has been raised from it in Xero)" in words
    assert "Your changes are kept in this app" in words and "Try again" not in words
    with desk.app.app_context():
        assert db.session.get(PurchaseOrder, order_id).lines[0].quantity == 20  # kept locally


def test_an_order_read_back_as_billed_is_not_sent_on_save_and_no_call_is_made(desk, shop, counted):
    add_item(desk, "CUP-8OZ")
    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))
    order_id = order_id_by_number(desk)
    desk.drain()
    with desk.app.app_context():  # what reading Xero back recorded (Xero itself: still a draft)
        db.session.scalar(db.select(XeroLink).filter_by(record_kind="purchase_order")).xero_status = "BILLED"
        db.session.commit()
    counted.calls.clear()

    save_order(desk, edit_form(desk, order_id, **{"lines-0-quantity": "20"}), order_id)
    desk.drain()

    assert counted.calls == []
    (after,) = held_orders(desk)
    assert after["Status"] == "DRAFT" and after["LineItems"][0]["Quantity"] == 10.0
    assert "a bill has been raised from it in Xero" in text_of(desk.panel("purchase_order", order_id))


def test_shipping_and_handling_is_a_normal_line_with_its_item(desk, shop):
    with desk.app.app_context():
        shipping = ensure_shipping_product(desk.workspace_id)
        db.session.commit()
        shop.products["SHIPPING"] = shipping.id
    add_item(desk, "SHIPPING", "Shipping and Handling")

    save_order(desk, order_form(shop, [("SHIPPING", "1", "35")]))
    desk.drain()

    (order,) = held_orders(desk)
    (line,) = order["LineItems"]
    assert (line["ItemCode"], line["Description"], line["UnitAmount"]) == ("SHIPPING", "Shipping and Handling", 35.0)


def test_saving_while_xero_is_not_connected_saves_locally_and_says_so(desk, shop, app):
    with app.app_context():
        db.session.delete(db.session.scalar(db.select(XeroConnection)))
        db.session.commit()

    answer = save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))

    assert answer.status_code == 302
    order_id = order_id_by_number(desk)
    assert desk.jobs("purchase_order", order_id) == []
    page = desk.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Saved in this app only: Xero is not connected" in text_of(page)


def test_a_second_save_while_the_push_is_queued_joins_it(desk, shop):
    add_item(desk, "CUP-8OZ")
    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))
    order_id = order_id_by_number(desk)
    save_order(desk, edit_form(desk, order_id, reference="Second thoughts"), order_id)

    assert len(desk.jobs("purchase_order", order_id)) == 1
    desk.drain()
    (order,) = held_orders(desk)
    assert order["Reference"] == "Second thoughts"  # the job pushed the latest version
    with desk.app.app_context():
        assert db.session.get(Product, shop.products["CUP-8OZ"]).xero_code is None  # found, not created


def test_a_lost_create_answer_is_recovered_by_number_not_duplicated(desk, shop, app):
    add_item(desk, "CUP-8OZ")
    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))
    order_id = order_id_by_number(desk)
    desk.drain()
    (first,) = held_orders(desk)
    with app.app_context():  # as if Xero's answer to the create had never arrived
        db.session.execute(db.delete(XeroLink).filter_by(record_kind="purchase_order"))
        db.session.commit()

    save_order(desk, edit_form(desk, order_id, reference="After the timeout"), order_id)
    desk.drain()

    (order,) = held_orders(desk)
    assert order["PurchaseOrderID"] == first["PurchaseOrderID"] and order["Reference"] == "After the timeout"
    assert desk.link("purchase_order", order_id).xero_id == first["PurchaseOrderID"]


def test_another_suppliers_order_with_our_number_is_not_taken_over(desk, shop):
    add_item(desk, "CUP-8OZ")
    with desk.app.app_context():
        from xeroapp.xero.client import XeroClient
        xero = XeroClient.for_workspace(desk.workspace_id)
        other = xero.accounting("PUT", "Contacts", json={"Contacts": [{"Name": "Someone else"}]})
        xero.accounting("PUT", "PurchaseOrders", json={"PurchaseOrders": [{
            "Contact": {"ContactID": other["Contacts"][0]["ContactID"]}, "PurchaseOrderNumber": "PO-0100",
            "LineItems": [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 1}]}]})

    save_order(desk, order_form(shop, [("CUP-8OZ", "10", "95")]))
    desk.drain()

    (theirs,) = held_orders(desk)
    assert theirs["LineItems"][0]["Description"] == "Theirs"
    (job,) = desk.jobs("purchase_order", order_id_by_number(desk))
    assert job.status == "failed" and "Order number must be unique" in job.error_message
