"""Four-decimal prices reach Xero as they are: every /Invoices and /Items call carries
unitdp=4 (Xero rounds unit amounts to cents without it, and works the totals out from the
rounded price), and the totals Xero holds equal the ones our pages show."""
from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from tests.sync.push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models import Invoice, InvoiceLine, PurchaseOrderLine, XeroConnection
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xerosandbox.accounting.spec import document

API = "/api.xro/2.0"


def cable(quantity: str = "3") -> InvoiceLine:
    return InvoiceLine(position=0, description="Cable per metre", quantity=Decimal(quantity),
                       unit_price=Decimal("10.1234"), account_code="200", tax_type="OUTPUT2")


def page_total(desk, path: str) -> Decimal:
    """The Total our own page shows for a document."""
    page = text_of(desk.client.get(path).get_data(as_text=True))
    return Decimal(re.search(r"Total NZD ([\d,]+\.\d\d)", page).group(1).replace(",", ""))


def figures(held: dict) -> tuple:
    line = held["LineItems"][0]
    return line["UnitAmount"], line["LineAmount"], held["SubTotal"], held["TotalTax"], held["Total"]


def test_a_sent_invoice_keeps_its_four_place_price_and_totals_as_ours(desk, records):
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042", lines=[cable()])
    ours = page_total(desk, f"/invoices/{invoice_id}")
    assert ours == Decimal("34.93")  # 10.1234 x 3 = 30.3702 -> 30.37, GST 4.5555 -> 4.56
    assert "10.1234" in text_of(desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True))

    desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert figures(held) == (10.1234, 30.37, 30.37, 4.56, 34.93)
    assert Decimal(str(held["Total"])) == ours


def test_an_updated_invoice_keeps_its_four_place_price_and_totals_as_ours(desk, records, app):
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042", lines=[cable()])
    desk.send("invoice", invoice_id)
    with app.app_context():
        db.session.get(Invoice, invoice_id).lines[0].quantity = Decimal("7")
        db.session.commit()

    desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert [j.action for j in desk.jobs("invoice", invoice_id)] == ["send", "update"]
    assert figures(held) == (10.1234, 70.86, 70.86, 10.63, 81.49)  # 70.8638; 10.629
    assert Decimal(str(held["Total"])) == page_total(desk, f"/invoices/{invoice_id}")


def test_without_unitdp_xero_would_round_the_price_and_miss_our_total(desk, records, app):
    """What the tests above guard against: the very body our push sends, without unitdp=4,
    lands as 10.12 and two cents short of the total on our page."""
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042", lines=[cable()])
    contact_id = desk.add_contact("Someone")
    with app.app_context():
        body = mapping.invoice(db.session.get(Invoice, invoice_id), contact_id,
                               mapping.LineDefaults(), create=True)
        XeroClient.for_workspace(desk.workspace_id).accounting("PUT", "Invoices",
                                                               json={"Invoices": [body]})

    (held,) = desk.held("invoices")
    assert figures(held) == (10.12, 30.36, 30.36, 4.55, 34.91)
    assert Decimal(str(held["Total"])) != page_total(desk, f"/invoices/{invoice_id}")


def test_send_all_keeps_four_place_prices_and_totals_as_ours(desk, records):
    ids = [records.invoice(desk.workspace_id, number=f"INV-{n:04}", lines=[cable(str(n))])
           for n in (1, 2, 3)]

    desk.client.post("/xero/bulk/invoices/send", headers=HTMX)
    desk.drain()

    held = {i["InvoiceNumber"]: i for i in desk.held("invoices")}
    assert len(held) == 3
    for n, invoice_id in zip((1, 2, 3), ids):
        invoice = held[f"INV-{n:04}"]
        assert invoice["LineItems"][0]["UnitAmount"] == 10.1234
        assert Decimal(str(invoice["Total"])) == page_total(desk, f"/invoices/{invoice_id}")
    assert [held[f"INV-{n:04}"]["Total"] for n in (1, 2, 3)] == [11.64, 23.29, 34.93]


def test_send_all_products_keeps_four_place_item_prices(desk, records):
    records.product(desk.workspace_id, sku="CABLE", name="Cable per metre",
                    cost_price=Decimal("4.5679"), sale_price=Decimal("10.1234"), published=True)

    desk.client.post("/xero/bulk/products/send", headers=HTMX)
    desk.drain()

    (item,) = [i for i in desk.held("items") if i["Code"] == "CABLE"]
    assert item["PurchaseDetails"]["UnitPrice"] == 4.5679
    assert item["SalesDetails"]["UnitPrice"] == 10.1234


# -- unitdp goes exactly where Xero's spec lists it ---------------------------------------------

def spec_lists_unitdp(method: str, path: str) -> bool:
    """Whether Xero's spec lists unitdp on the operation ``method path`` calls (the path's
    template with that method: literal segments win over {ids})."""
    segments = path.split("/")
    templates = [t for t, operations in document()["paths"].items()
                 if method.lower() in operations and len(t.split("/")) == len(segments)
                 and all(a == b or a.startswith("{") for a, b in zip(t.split("/"), segments))]
    assert templates, f"no operation in the spec for {method} {path}"
    fewest = min(t.count("{") for t in templates)
    parameters = [p.get("$ref", "") for t in templates if t.count("{") == fewest
                  for p in document()["paths"][t][method.lower()].get("parameters", [])]
    return any(ref.endswith("/unitdp") for ref in parameters)


class RecordingTransport(httpx.WSGITransport):
    """The in-process sandbox, remembering every Accounting call as (method, path, query)."""

    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(API + "/"):
            self.calls.append((request.method, request.url.path[len(API):], dict(request.url.params)))
        return super().handle_request(request)


@pytest.fixture
def recorded(desk) -> RecordingTransport:
    transport = RecordingTransport(desk.sandbox)
    desk.app.config["XERO_HTTP_TRANSPORT"] = transport
    return transport


def test_every_call_carries_unitdp_4_exactly_where_the_spec_lists_it(desk, records, app, recorded):
    with app.app_context():
        connection = db.session.scalar(db.select(XeroConnection))
        connection.purchase_account_code = "300"
        db.session.commit()
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042", lines=[cable()])
    desk.send("invoice", invoice_id)
    with app.app_context():
        db.session.get(Invoice, invoice_id).reference = "again"
        db.session.commit()
    desk.send("invoice", invoice_id)  # update: reads the status, then POSTs
    records.invoice(desk.workspace_id, number="INV-0043", lines=[cable()])
    product_id = records.product(desk.workspace_id, sku="CABLE", name="Cable",
                                 cost_price=Decimal("4.5679"))
    desk.client.post("/xero/bulk/invoices/send", headers=HTMX)
    desk.client.post("/xero/bulk/products/send", headers=HTMX)
    desk.drain()
    order_id = records.purchase_order(desk.workspace_id, lines=[PurchaseOrderLine(
        description="Cable", quantity=Decimal("3"), unit_cost=Decimal("4.5679"), product_id=product_id)])
    desk.send("purchase_order", order_id)  # looks its product up in /Items first

    seen = {(method, path.split("/")[1], path.count("/")) for method, path, _ in recorded.calls}
    assert {("PUT", "Invoices", 1), ("GET", "Invoices", 2),
            ("POST", "Invoices", 2), ("GET", "Items", 1), ("PUT", "Items", 1),
            ("PUT", "PurchaseOrders", 1)} <= seen  # every kind of call the pushes make
    for method, path, params in recorded.calls:
        wanted = "4" if spec_lists_unitdp(method, path) else None
        assert params.get("unitdp") == wanted, (method, path, params)
