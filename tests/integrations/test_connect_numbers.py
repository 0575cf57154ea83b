"""Connecting to an organisation that already has invoices and purchase orders: the numbers it
holds are read on connect, and new documents never reuse one. Through the connect flow, the
settings page, the forms, the worker and a real sandbox server."""
from __future__ import annotations

import requests
import sqlalchemy as sa

from tests.xero.xero_support import DEMO_ORG, DEMO_TENANT_ID, mint
from xeroapp.extensions import db
from xeroapp.models import Invoice, PurchaseOrder, Workspace


def text(response) -> str:
    import html
    import re
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True)))).strip()


def seed_organisation(url: str, invoices=("INV-0001", "INV-0002", "INV-0003"),
                      orders=("PO-0001", "PO-0002")) -> None:
    """What the business keyed into Xero before connecting us (through the API)."""
    token = mint(url)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": DEMO_TENANT_ID}
    api = f"{url}/api.xro/2.0"
    contact = requests.put(f"{api}/Contacts", headers=headers, timeout=10,
                           json={"Contacts": [{"Name": "Their contact"}]}).json()
    who = {"ContactID": contact["Contacts"][0]["ContactID"]}
    line = [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]
    if invoices:
        assert requests.put(f"{api}/Invoices", headers=headers, timeout=10, json={"Invoices": [
            {"Type": "ACCREC", "Contact": who, "InvoiceNumber": n, "LineItems": line}
            for n in invoices]}).status_code == 200
    if orders:
        assert requests.put(f"{api}/PurchaseOrders", headers=headers, timeout=10, json={
            "PurchaseOrders": [{"Contact": who, "PurchaseOrderNumber": n, "LineItems": line}
                               for n in orders]}).status_code == 200


def held(url: str, plural: str) -> list[dict]:
    return requests.get(f"{url}/_sandbox/objects/{DEMO_TENANT_ID}/{plural.lower()}",
                        timeout=10).json()[plural]


def workspace(app) -> Workspace:
    with app.app_context():
        row = db.session.scalar(sa.select(Workspace))
        db.session.expunge(row)
        return row


def numbering(client, mode: str, **fields: str):
    return client.post("/settings/numbering", data={
        "document_numbering": mode, "invoice_number_prefix": "INV-", "invoice_number_next": "1",
        "po_number_prefix": "PO-", "po_number_next": "1", **fields})


def invoice_form(client_id: int, number: str, unit_price: str = "12.50") -> dict[str, str]:
    return {"number": number, "client_id": str(client_id), "issue_date": "2026-11-02",
            "due_date": "2026-11-16", "reference": "", "currency": "NZD",
            "amount_type": "Exclusive", "lines-0-line_id": "", "lines-0-product_id": "",
            "lines-0-description": "Beans", "lines-0-quantity": "2",
            "lines-0-unit_price": unit_price, "lines-0-discount_rate": "",
            "lines-0-account_code": "200", "lines-0-tax_type": ""}


def chosen_numbering(client) -> str:
    """The radio button ticked in Settings › Document numbers."""
    import re
    page = client.get("/settings/").get_data(as_text=True)
    (chosen,) = [re.search(r'value="([^"]*)"', tag).group(1)
                 for tag in re.findall(r'<input[^>]*name="document_numbering"[^>]*>', page)
                 if "checked" in tag]
    return chosen


def number_field(client, path: str) -> str:
    import re
    page = client.get(path).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="number"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_connecting_an_established_organisation_lets_xero_number_new_documents(
        client, connector, live_app, live_sandbox, records, worker):
    seed_organisation(live_sandbox.url)

    after = client.get(connector.connect().headers["Location"])
    assert f"Connected to {DEMO_ORG}." in text(after)
    assert (f"{DEMO_ORG} already has invoices or purchase orders, so new ones made here are now "
            "numbered by Xero when they are sent (the next number of its own sequence). To use "
            "numbers of your own instead, change it in Settings › Document numbers.") in text(after)
    assert workspace(live_app).document_numbering == "xero"
    assert chosen_numbering(client) == "xero"
    assert number_field(client, "/invoices/new") == ""
    assert number_field(client, "/purchase-orders/new") == ""

    # A new invoice, Sent: Xero gives it the next number of its own sequence, and we keep it.
    ws = workspace(live_app).id
    client_id = records.client(ws, name="Bayside Café")
    created = client.post("/invoices/new", data=invoice_form(client_id, ""))
    invoice_id = int(created.headers["Location"].rsplit("/", 1)[-1])
    assert client.post(f"/xero/invoice/{invoice_id}/push", headers={"HX-Request": "true"}).status_code == 200
    worker()

    numbers = sorted(i["InvoiceNumber"] for i in held(live_sandbox.url, "Invoices"))
    assert numbers == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    with live_app.app_context():
        assert db.session.get(Invoice, invoice_id).number == "INV-0004"
    assert "Invoice INV-0004" in text(client.get(f"/invoices/{invoice_id}"))

    # A purchase order saved to Xero likewise gets PO-0003.
    supplier_id = records.supplier(ws, name="Pacific Paper Co.")
    saved = client.post("/purchase-orders/new", data={
        "supplier_id": str(supplier_id), "number": "", "order_date": "2026-11-20",
        "status": "draft", "amount_type": "Exclusive", "save_to_xero": "y",
        "lines-0-description": "Pallet hire", "lines-0-quantity": "1", "lines-0-unit_cost": "40",
        "lines-0-tax_type": "NONE"})
    order_id = int(saved.headers["Location"].split("?")[0].rsplit("/", 1)[-1])
    worker()
    orders = sorted(o["PurchaseOrderNumber"] for o in held(live_sandbox.url, "PurchaseOrders"))
    assert orders == ["PO-0001", "PO-0002", "PO-0003"]
    with live_app.app_context():
        assert db.session.get(PurchaseOrder, order_id).number == "PO-0003"


def test_own_numbering_chosen_before_connecting_starts_after_the_organisations_highest(
        client, connector, live_app, live_sandbox, records, worker):
    assert numbering(client, "own").status_code == 302  # chosen: connecting keeps it
    seed_organisation(live_sandbox.url, invoices=("INV-0001", "INV-0002", "INV-0003", "INV-0007A"))

    after = client.get(connector.connect().headers["Location"])

    assert ("already uses some of your numbers: the next invoice number is now INV-0004, after "
            "INV-0003 in Xero; the next purchase order number is now PO-0003, after PO-0002 in "
            "Xero.") in text(after)
    assert workspace(live_app).document_numbering == "own"
    assert number_field(client, "/invoices/new") == "INV-0004"
    assert number_field(client, "/purchase-orders/new") == "PO-0003"

    ws = workspace(live_app).id
    client_id = records.client(ws, name="Bayside Café")
    assert client.post("/invoices/new", data=invoice_form(client_id, "INV-0004")).status_code == 302
    assert client.post("/xero/bulk/invoices/send", headers={"HX-Request": "true"}).status_code == 200
    worker()
    ours = [i for i in held(live_sandbox.url, "Invoices") if i["Contact"]["Name"] == "Bayside Café"]
    assert [i["InvoiceNumber"] for i in ours] == ["INV-0004"]
    assert number_field(client, "/invoices/new") == "INV-0005"


def test_connecting_an_empty_organisation_keeps_our_own_series(client, connector, live_app,
                                                               live_sandbox):
    after = client.get(connector.connect().headers["Location"])

    assert "numbered by Xero" not in text(after) and "already uses" not in text(after)
    assert workspace(live_app).document_numbering is None  # still ours to choose
    assert chosen_numbering(client) == "own"
    assert number_field(client, "/invoices/new") == "INV-0001"


def test_choosing_own_numbering_while_connected_raises_it_past_xeros_highest(
        client, connector, live_app, live_sandbox):
    seed_organisation(live_sandbox.url, invoices=("INV-0001", "INV-0002", "INV-0003"), orders=())
    connector.connect()
    assert workspace(live_app).document_numbering == "xero"

    answer = numbering(client, "own", invoice_number_next="2")
    page = text(client.get(answer.headers["Location"]))

    assert "Document numbering saved." in page
    assert "the next invoice number is now INV-0004, after INV-0003 in Xero" in page
    assert (workspace(live_app).document_numbering, workspace(live_app).invoice_number_next) == ("own", 4)
    assert number_field(client, "/invoices/new") == "INV-0004"
    # Another prefix of our own is a series Xero does not have: kept as typed.
    numbering(client, "own", invoice_number_prefix="WEB-", invoice_number_next="10")
    assert number_field(client, "/invoices/new") == "WEB-0010"


def test_reconnecting_an_organisation_holding_only_what_we_sent_keeps_our_series(
        client, connector, live_app, live_sandbox, records, worker):
    connector.connect()
    client_id = records.client(workspace(live_app).id, name="Bayside Café")
    assert client.post("/invoices/new", data=invoice_form(client_id, "INV-0001")).status_code == 302
    assert client.post("/xero/bulk/invoices/send", headers={"HX-Request": "true"}).status_code == 200
    worker()
    assert [i["InvoiceNumber"] for i in held(live_sandbox.url, "Invoices")] == ["INV-0001"]

    after = client.get(connector.connect().headers["Location"])

    assert "numbered by Xero" not in text(after)
    assert workspace(live_app).document_numbering is None
    assert number_field(client, "/invoices/new") == "INV-0002"
