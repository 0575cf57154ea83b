"""What the purchase-order push tests share: a shop (supplier + products), the order form
as a browser posts it, every HTTP call the app makes to the sandbox (an httpx transport that
counts), and a look at what the sandbox holds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.sync.push_support import HTMX, Desk
from tests.xero.xero_support import DEMO_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder, Workspace
from xeroapp.xero.client import XeroClient


class CountingTransport(httpx.WSGITransport):
    """The in-process sandbox, remembering each request as (method, path, query)."""

    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.calls: list[tuple[str, str, str]] = []
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path,
                           request.url.params.get("where", "")))
        self.sent.append(request)
        return super().handle_request(request)

    def urls(self, method: str, resource: str) -> list[str]:
        """The whole URLs of those requests, as sent (percent-encoded)."""
        return [str(r.url) for r in self.sent
                if r.method == method and r.url.path == f"/api.xro/2.0/{resource}"]

    def count(self, method: str, resource: str) -> int:
        return sum(1 for m, path, _ in self.calls
                   if m == method and path == f"/api.xro/2.0/{resource}")


@pytest.fixture
def counted(desk: Desk) -> CountingTransport:
    transport = CountingTransport(desk.sandbox)
    desk.app.config["XERO_HTTP_TRANSPORT"] = transport
    return transport


@dataclass
class Shop:
    workspace_id: int
    supplier_id: int
    products: dict[str, int] = field(default_factory=dict)  # SKU -> id


@pytest.fixture
def shop(desk: Desk, records) -> Shop:
    return make_shop(desk, records)


def make_shop(desk: Desk, records) -> Shop:
    """A supplier and five products in ``desk``'s workspace, none of them in Xero."""
    shop = Shop(desk.workspace_id, records.supplier(desk.workspace_id, name="Pacific Paper Co.",
                                                    email="orders@pacificpaper.example"))
    for sku, name, cost, account in (("CUP-8OZ", "Cups 8 oz", "95.00", "300"),
                                     ("LID-8OZ", "Lids 8 oz", "42.50", "300"),
                                     ("SLEEVE", "Cup sleeves", "18.00", None),
                                     ("STRAW", "Paper straws", "7.25", "310"),
                                     ("NAPKIN", "Napkins", "5.00", None)):
        shop.products[sku] = records.product(desk.workspace_id, sku=sku, name=name,
                                             cost_price=Decimal(cost),
                                             purchase_account_code=account)
    return shop


def add_item(desk: Desk, code: str, name: str | None = None) -> str:
    """An Item keyed into Xero by hand (through the API, as another app would)."""
    with desk.app.app_context():
        answer = XeroClient.for_workspace(desk.workspace_id).accounting(
            "PUT", "Items", json={"Items": [{"Code": code, "Name": name or code}]})
    return answer["Items"][0]["ItemID"]


def order_form(shop: Shop, lines: list[tuple[str, str, str]], *, save_to_xero: bool = True,
               **overrides: str) -> dict[str, str]:
    """A new order's form post; ``lines``: (SKU or "" for a text line, quantity, unit cost)."""
    data = {
        "supplier_id": str(shop.supplier_id), "number": "PO-0100", "order_date": "2026-11-20",
        "delivery_date": "2026-11-27", "reference": "Restock", "status": "draft",
        "amount_type": "Exclusive", "delivery_address": "4 Colombo Street\nChristchurch 8011",
        "attention_to": "Mere Tipene", "telephone": "03 555 0133",
        "delivery_instructions": "Back door, before 10am",
    }
    if save_to_xero:
        data["save_to_xero"] = "y"
    for i, (sku, quantity, cost) in enumerate(lines):
        data.update({f"lines-{i}-line_id": "",
                     f"lines-{i}-product_id": str(shop.products[sku]) if sku else "",
                     f"lines-{i}-description": "" if sku else "Pallet hire",
                     f"lines-{i}-quantity": quantity, f"lines-{i}-unit_cost": cost,
                     f"lines-{i}-tax_type": "INPUT2" if sku else "NONE"})
    data.update(overrides)
    return data


def edit_form(desk: Desk, order_id: int, **overrides: str) -> dict[str, str]:
    """The edit form of a saved order as the page renders it, with ``overrides``."""
    page = desk.client.get(f"/purchase-orders/{order_id}/edit").get_data(as_text=True)
    data: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
        elif tag.startswith("<input"):
            data[name.group(1)] = value.group(1) if value else ""
    for name, inner in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = inner.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', body)
        data[name] = next(g for g in chosen.groups() if g is not None) if chosen else ""
    data.update(overrides)
    return data


def save_order(desk: Desk, form: dict[str, str], order_id: int | None = None):
    path = f"/purchase-orders/{order_id}/edit" if order_id else "/purchase-orders/new"
    return desk.client.post(path, data=form)


def order_id_by_number(desk: Desk, number: str = "PO-0100") -> int:
    with desk.app.app_context():
        return db.session.scalar(db.select(PurchaseOrder.id).filter_by(number=number))


def held_orders(desk: Desk) -> list[dict[str, Any]]:
    response = desk.sandbox.test_client().get(f"/_sandbox/objects/{DEMO_TENANT_ID}/purchaseorders")
    return response.get_json()["PurchaseOrders"]


def dialog(desk: Desk, order_id: int) -> str:
    response = desk.client.get(f"/purchase-orders/{order_id}/xero/missing-products", headers=HTMX)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def submit_dialog(desk: Desk, order_id: int, **fields: str):
    """Press "Create in Xero and save": the answer is the dialog's progress (or the dialog
    again, 422, when a row needs correcting)."""
    return desk.client.post(f"/purchase-orders/{order_id}/xero/missing-products", data=fields,
                            headers=HTMX)


def progress(desk: Desk, order_id: int):
    """The dialog's poll while its job runs."""
    return desk.client.get(f"/purchase-orders/{order_id}/xero/missing-products/progress",
                           headers=HTMX)


def create_via_dialog(desk: Desk, order_id: int, **fields: str):
    """Press Create, let the worker run everything queued, then the dialog's next poll."""
    answer = submit_dialog(desk, order_id, **fields)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    desk.drain()
    return progress(desk, order_id)


def set_po_status(desk: Desk, status: str) -> None:
    with desk.app.app_context():
        db.session.get(Workspace, desk.workspace_id).po_xero_status = status
        db.session.commit()
