"""Numbers Xero already holds: a record with no Xero link is only ever CREATED (PUT), so an
organisation's own INV-0001 is never rewritten by ours; the clash fails that record alone,
naming the number, while our own earlier copy (a re-send whose answer was lost) is adopted.

Through the web routes (Send, Send all not in Xero), the worker and the sandbox."""
from __future__ import annotations

import pytest

from tests.sync.push_support import DEMO_TENANT_ID, HTMX, run_scheduled, text_of
from xeroapp.extensions import db
from xeroapp.models import Invoice, PushJob, XeroLink
from xeroapp.xero.client import XeroClient

TAKEN = ("Xero already has an {noun} numbered {number} (Xero said “Invoice # must be unique.”). "
         "To send this one, open its Edit page and change the Invoice number field from {number}")


def start(desk, plural: str, mode: str = "send"):
    response = desk.client.post(f"/xero/bulk/{plural}/{mode}", headers=HTMX)
    assert response.status_code == 200
    return response


def bulk_page(desk, plural: str) -> str:
    return text_of(desk.client.get(f"/xero/bulk/{plural}", headers=HTMX).get_data(as_text=True))


def calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def xero(desk) -> XeroClient:
    return XeroClient.for_workspace(desk.workspace_id)


def someone_elses_invoices(desk, numbers: list[str]) -> dict[str, str]:
    """Invoices keyed into Xero by the business itself, for a contact that is not ours:
    number -> InvoiceID."""
    contact_id = desk.add_contact("Someone Else")
    with desk.app.app_context():
        made = xero(desk).accounting("PUT", "Invoices", json={"Invoices": [
            {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "InvoiceNumber": number,
             "Reference": "theirs", "LineItems": [{"Description": "Their work", "Quantity": 1,
                                                   "UnitAmount": 99, "AccountCode": "200"}]}
            for number in numbers]})
    return {i["InvoiceNumber"]: i["InvoiceID"] for i in made["Invoices"]}


def snapshot(desk, invoice_ids: list[str]) -> list:
    """What the sandbox says of these invoices: its stored object and the API's GET JSON."""
    stored = [desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{i}", method="get") for i in invoice_ids]
    with desk.app.app_context():
        api = [xero(desk).accounting("GET", f"Invoices/{i}")["Invoices"] for i in invoice_ids]
    return [stored, api]


def held_by_number(desk) -> dict[str, list[dict]]:
    by_number: dict[str, list[dict]] = {}
    for invoice in desk.held("invoices"):
        by_number.setdefault(invoice["InvoiceNumber"], []).append(invoice)
    return by_number


def row_of(app, kind: str, record_id: int) -> PushJob:
    with app.app_context():
        row = db.session.scalars(db.select(PushJob).filter_by(record_kind=kind, record_id=record_id)
                                 .order_by(PushJob.id.desc())).first()
        db.session.expunge(row)
        return row


# -- bulk: someone else's numbers -------------------------------------------------------------------
def test_send_all_never_touches_invoices_the_organisation_already_holds(desk, records, app):
    theirs = someone_elses_invoices(desk, [f"INV-{n:04}" for n in range(1, 6)])
    before = snapshot(desk, list(theirs.values()))
    ours = {f"INV-{n:04}": records.invoice(desk.workspace_id, number=f"INV-{n:04}")
            for n in range(1, 11)}
    calls_before = calls(desk)

    start(desk, "invoices")
    desk.drain()

    spent = calls(desk) - calls_before
    assert snapshot(desk, list(theirs.values())) == before  # byte for byte, both views
    held = held_by_number(desk)
    assert sorted(held) == [f"INV-{n:04}" for n in range(1, 11)]
    assert all(len(copies) == 1 for copies in held.values())  # no duplicate
    for number, invoice_id in ours.items():
        link = desk.link("invoice", invoice_id)
        row = row_of(app, "invoice", invoice_id)
        if number in theirs:
            assert link is None and row.status == "failed" and row.error_field == "Number"
            assert TAKEN.format(number=number, noun="invoice") in row.error_message
            assert "Invoice # must be unique." in row.error_message  # Xero's own words
        else:
            assert row.status == "done"
            assert link.xero_id == held[number][0]["InvoiceID"]
            assert held[number][0]["Contact"]["Name"] == f"Client of {number}"
    page = bulk_page(desk, "invoices").replace(" :", ":")
    assert "5 sent · 5 failed · 0 waiting" in page
    assert "INV-0003: " + TAKEN.format(number="INV-0003", noun="invoice") in page
    assert spent == 3  # the clients, the invoices, then ONE lookup of the five numbers taken


def test_taken_numbers_are_looked_up_forty_at_a_time(desk, records, app):
    numbers = [f"INV-{n:04}" for n in range(1, 46)]
    someone_elses_invoices(desk, numbers)
    client_id = records.client(desk.workspace_id, name="One Client")
    ours = [records.invoice(desk.workspace_id, number=n, client_id=client_id) for n in numbers]
    calls_before = calls(desk)

    start(desk, "invoices")
    desk.drain()

    assert calls(desk) - calls_before == 4  # the client, the invoices, 40 + 5 numbers looked up
    assert {row_of(app, "invoice", i).status for i in ours} == {"failed"}
    assert len(desk.held("invoices")) == 45


def test_our_earlier_copy_approved_meanwhile_is_adopted_but_one_with_a_payment_is_not_changed(
        desk, records, app):
    """Our invoices reached Xero but the links were lost; the accountant approved both and a
    payment was made on one. Xero still takes updates of the approved one, not of the other."""
    ids = [records.invoice(desk.workspace_id, number=f"INV-{n:04}") for n in (1, 2)]
    start(desk, "invoices")
    desk.drain()
    first = {number: copies[0] for number, copies in held_by_number(desk).items()}
    for number in ("INV-0001", "INV-0002"):
        desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{first[number]['InvoiceID']}/approve")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{first['INV-0001']['InvoiceID']}/pay",
                 {"Amount": 5})
    with app.app_context():
        db.session.execute(db.delete(XeroLink).where(XeroLink.record_kind == "invoice"))
        for invoice_id in ids:
            db.session.get(Invoice, invoice_id).reference = "second go"
        db.session.commit()
    paid = snapshot(desk, [first["INV-0001"]["InvoiceID"]])

    start(desk, "invoices")
    desk.drain()

    assert snapshot(desk, [first["INV-0001"]["InvoiceID"]]) == paid
    held = held_by_number(desk)
    assert len(held["INV-0001"]) == len(held["INV-0002"]) == 1
    assert held["INV-0002"][0]["Reference"] == "second go"  # our approved copy adopted, updated
    assert held["INV-0002"][0]["Status"] == "AUTHORISED"
    assert desk.link("invoice", ids[1]).xero_id == first["INV-0002"]["InvoiceID"]
    row = row_of(app, "invoice", ids[0])
    assert row.status == "failed" and desk.link("invoice", ids[0]) is None
    assert row.error_message.startswith(
        "Xero already has INV-0001 for this client, and it is AUTHORISED with a payment there, "
        "so it was left as it is. If that is this invoice (sent before and approved in Xero "
        "since), it is in Xero already: do not change its number or send it again")


# -- bulk: a re-send whose first answer was lost ----------------------------------------------------
@pytest.mark.parametrize("meanwhile", ["nothing", "an edit", "the key expired"])
def test_a_batch_whose_answer_was_lost_ends_linked_not_duplicated(live_desk, records, app, meanwhile):
    desk = live_desk
    ids = {f"INV-{n:04}": records.invoice(desk.workspace_id, number=f"INV-{n:04}") for n in range(1, 5)}
    desk.control("faults", {"next": ["ok", "lost_response"]})  # the clients, then the invoices

    start(desk, "invoices")
    desk.drain()

    first = {i: row_of(app, "invoice", i) for i in ids.values()}
    assert {(r.status, r.error_kind) for r in first.values()} == {("waiting", "unreachable")}
    assert len(desk.held("invoices")) == 4  # Xero did save them
    assert all(desk.link("invoice", i) is None for i in ids.values())
    if meanwhile == "an edit":  # the batch's body, and so its Idempotency-Key, changes
        with app.app_context():
            db.session.get(Invoice, ids["INV-0002"]).reference = "edited meanwhile"
            db.session.commit()
    elif meanwhile == "the key expired":  # Xero keeps a key's answer for 6 minutes
        desk.control("clock", {"advance": 7 * 60})

    run_scheduled(app, desk.drain)

    held = held_by_number(desk)
    assert sorted(held) == sorted(ids) and all(len(copies) == 1 for copies in held.values())
    assert len(desk.held("contacts")) == 4
    for number, invoice_id in ids.items():
        row = row_of(app, "invoice", invoice_id)
        assert row.status == "done", row.error_message
        assert desk.link("invoice", invoice_id).xero_id == held[number][0]["InvoiceID"]
    keys = {first[ids["INV-0001"]].idempotency_key, row_of(app, "invoice", ids["INV-0001"]).idempotency_key}
    assert len(keys) == (2 if meanwhile == "an edit" else 1)
    replays = desk.control("stats", method="get")["totals"].get("replays", 0)
    assert replays == (1 if meanwhile == "nothing" else 0)  # else adopted, not replayed
    if meanwhile == "an edit":
        assert held["INV-0002"][0]["Reference"] == "edited meanwhile"
    assert "4 sent · 0 failed · 0 waiting" in bulk_page(desk, "invoices")


# -- a single Send ----------------------------------------------------------------------------------
def test_a_single_send_onto_someone_elses_number_fails_naming_it(desk, records, app):
    theirs = someone_elses_invoices(desk, ["INV-0042"])
    before = snapshot(desk, [theirs["INV-0042"]])
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")

    panel = text_of(desk.send("invoice", invoice_id))

    assert snapshot(desk, [theirs["INV-0042"]]) == before
    assert TAKEN.format(number="INV-0042", noun="invoice") in panel
    assert "Invoice # must be unique." in panel and "Xero complained about: Number" in panel
    assert desk.link("invoice", invoice_id) is None and len(desk.held("invoices")) == 1
    with app.app_context():  # the way forward works: renumbered, it goes through
        db.session.get(Invoice, invoice_id).number = "INV-0043"
        db.session.commit()
    desk.send("invoice", invoice_id)
    assert sorted(held_by_number(desk)) == ["INV-0042", "INV-0043"]
    assert desk.link("invoice", invoice_id).xero_id == held_by_number(desk)["INV-0043"][0]["InvoiceID"]


def test_a_single_send_of_a_purchase_order_onto_someone_elses_number_fails_naming_it(desk, records, app):
    other = desk.add_contact("Someone Else")
    with app.app_context():
        theirs = xero(desk).accounting("PUT", "PurchaseOrders", json={"PurchaseOrders": [{
            "Contact": {"ContactID": other}, "PurchaseOrderNumber": "PO-0100",
            "LineItems": [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 1}]}]})
    their_id = theirs["PurchaseOrders"][0]["PurchaseOrderID"]
    stored = desk.control(f"objects/{DEMO_TENANT_ID}/purchaseorders/{their_id}", method="get")
    order_id = records.purchase_order(desk.workspace_id, number="PO-0100")

    panel = text_of(desk.send("purchase_order", order_id))

    assert desk.control(f"objects/{DEMO_TENANT_ID}/purchaseorders/{their_id}", method="get") == stored
    assert ("Xero already has a purchase order numbered PO-0100 (Xero said “Order number must be "
            "unique”). To send this one, open its Edit page and change the Number field") in panel
    assert desk.link("purchase_order", order_id) is None


# -- items ------------------------------------------------------------------------------------------
def test_send_all_products_links_an_item_xero_already_has_without_changing_it(desk, records, app):
    with app.app_context():
        (theirs,) = xero(desk).accounting("PUT", "Items", json={"Items": [{
            "Code": "CUP-8OZ", "Name": "Their cup", "SalesDetails": {"UnitPrice": 4}}]})["Items"]
    stored = desk.control(f"objects/{DEMO_TENANT_ID}/items/{theirs['ItemID']}", method="get")
    cup = records.product(desk.workspace_id, sku="cup-8oz", name="Our cup")
    lid = records.product(desk.workspace_id, sku="LID-8OZ", name="Our lid")

    start(desk, "products")
    desk.drain()

    assert desk.control(f"objects/{DEMO_TENANT_ID}/items/{theirs['ItemID']}", method="get") == stored
    codes = [i["Code"] for i in desk.held("items")]
    assert codes.count("CUP-8OZ") == 1 and codes.count("LID-8OZ") == 1
    items = {i["Code"]: i for i in desk.held("items")}
    assert desk.link("product", cup).xero_id == theirs["ItemID"]
    assert desk.link("product", lid).xero_id == items["LID-8OZ"]["ItemID"]
    assert "0 failed · 0 waiting" in bulk_page(desk, "products")


def test_products_whose_answer_was_lost_are_linked_on_the_re_send_not_duplicated(live_desk, records, app):
    desk = live_desk
    ids = [records.product(desk.workspace_id, sku=f"CUP-{n}", name=f"Cup {n}") for n in range(3)]
    desk.control("faults", {"next": ["lost_response"]})

    start(desk, "products")
    desk.drain()
    saved = {i["Code"]: i["ItemID"] for i in desk.held("items")}
    assert {f"CUP-{n}" for n in range(3)} <= set(saved)  # Xero did save them
    desk.control("clock", {"advance": 7 * 60})  # and forgot the Idempotency-Key since

    run_scheduled(app, desk.drain)

    codes = [i["Code"] for i in desk.held("items")]
    assert all(codes.count(f"CUP-{n}") == 1 for n in range(3))
    for n, product_id in enumerate(ids):
        assert row_of(app, "product", product_id).status == "done"
        assert desk.link("product", product_id).xero_id == saved[f"CUP-{n}"]
