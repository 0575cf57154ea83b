"""Purchase order numbers against an organisation that already has orders: Xero numbers ours
when the workspace lets it, and a number Xero already holds comes back naming the number and
where to change it. Web routes, the worker and the in-process sandbox."""
from __future__ import annotations

from tests.sync.push_support import text_of
from tests.purchase_orders_xero.po_support import edit_form, held_orders, order_form, save_order
from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder
from xeroapp.xero.client import XeroClient

THEIRS = ("PO-0001", "PO-0002")


def their_orders(desk, numbers=THEIRS) -> dict[str, dict]:
    """Orders the business raised in Xero itself before connecting us."""
    with desk.app.app_context():
        xero = XeroClient.for_workspace(desk.workspace_id)
        contact = xero.accounting("PUT", "Contacts", json={"Contacts": [{"Name": "Their supplier"}]})
        made = xero.accounting("PUT", "PurchaseOrders", json={"PurchaseOrders": [
            {"Contact": {"ContactID": contact["Contacts"][0]["ContactID"]}, "PurchaseOrderNumber": n,
             "LineItems": [{"Description": f"Theirs {n}", "Quantity": 1, "UnitAmount": 1}]}
            for n in numbers]})
    return {o["PurchaseOrderNumber"]: o for o in made["PurchaseOrders"]}


def choose_numbering(desk, mode: str) -> None:
    response = desk.client.post("/settings/numbering", data={
        "document_numbering": mode, "invoice_number_prefix": "INV-", "invoice_number_next": "1",
        "po_number_prefix": "PO-", "po_number_next": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)


def saved_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[-1])


def stored(app, order_id: int) -> PurchaseOrder:
    with app.app_context():
        order = db.session.get(PurchaseOrder, order_id)
        db.session.expunge(order)
        return order


def test_xero_numbers_a_new_order_after_its_own_and_we_keep_that_number(desk, shop, app):
    before = their_orders(desk)
    choose_numbering(desk, "xero")
    form = desk.client.get("/purchase-orders/new").get_data(as_text=True)
    assert 'name="number" type="text" value=""' in form

    response = save_order(desk, order_form(shop, [("", "2", "40")], number=""))
    order_id = saved_id(response)
    assert "Purchase order created. Xero gives it a number when it is sent." in text_of(
        desk.client.get(response.headers["Location"]).get_data(as_text=True))
    desk.drain()

    held = {o["PurchaseOrderNumber"]: o for o in held_orders(desk)}
    assert sorted(held) == ["PO-0001", "PO-0002", "PO-0003"]
    assert held["PO-0003"]["LineItems"][0]["Description"] == "Pallet hire"
    for number in THEIRS:
        assert held[number]["UpdatedDateUTC"] == before[number]["UpdatedDateUTC"]
    order = stored(app, order_id)
    assert (order.number, order.version) == ("PO-0003", 1)
    assert desk.link("purchase_order", order_id).xero_id == held["PO-0003"]["PurchaseOrderID"]
    assert "No changes since last push" in text_of(desk.panel("purchase_order", order_id))
    assert "Purchase order PO-0003" in text_of(
        desk.client.get(f"/purchase-orders/{order_id}").get_data(as_text=True))
    assert "PO-0003" in text_of(desk.client.get("/purchase-orders/?q=0003").get_data(as_text=True))


def test_an_order_not_sent_yet_shows_that_xero_will_number_it(desk, shop, app):
    choose_numbering(desk, "xero")
    order_id = saved_id(save_order(desk, order_form(shop, [("", "1", "5")], number="",
                                                    save_to_xero=False)))
    assert stored(app, order_id).number is None
    listing = text_of(desk.client.get("/purchase-orders/").get_data(as_text=True))
    assert "Draft — numbered by Xero when sent" in listing
    edit = desk.client.get(f"/purchase-orders/{order_id}/edit").get_data(as_text=True)
    assert "Edit purchase order Draft — numbered by Xero when sent" in text_of(edit)


def test_a_clash_names_the_number_and_the_edit_page(desk, shop, app):
    their_orders(desk, ("PO-0100",))
    order_id = saved_id(save_order(desk, order_form(shop, [("", "2", "40")])))  # PO-0100
    desk.drain()

    panel = desk.panel("purchase_order", order_id)
    text = text_of(panel)
    assert ("Xero already has a purchase order numbered PO-0100 (Xero said “Order number must be "
            "unique”). To send this one, open its Edit page and change the Number field from "
            "PO-0100 to a number Xero does not have yet, then send it again.") in text
    assert f'href="/purchase-orders/{order_id}/edit"' in panel and "Change the number" in text
    (theirs,) = held_orders(desk)
    assert theirs["LineItems"][0]["Description"] == "Theirs PO-0100"

    save_order(desk, edit_form(desk, order_id, number="PO-0101"), order_id)
    desk.drain()
    assert sorted(o["PurchaseOrderNumber"] for o in held_orders(desk)) == ["PO-0100", "PO-0101"]
    assert desk.link("purchase_order", order_id) is not None
