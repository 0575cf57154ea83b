"""Showing what Xero says never writes: every page of the back-sync UI is a pure read, and
none of them is shown to someone logged out."""
from __future__ import annotations

import pytest

from tests.backsync_ui.conftest import HTMX, snapshot, text_of


@pytest.fixture
def pages(desk, records) -> list[str]:
    ws = desk.workspace_id
    invoice_id = records.invoice(ws)
    desk.link("invoice", invoice_id, xero_status="AUTHORISED", xero_amount_paid="5",
              xero_payments=[{"PaymentID": "p", "Date": "2026-12-03", "Amount": "5.00",
                              "Reference": "Part"}])
    desk.push("invoice", invoice_id, "2026-12-01 08:00")
    desk.change("invoice", invoice_id, "part_paid", "Part paid in Xero: 5.00 on 3 Dec 2026",
                "2026-12-03 08:00")
    order_id = records.purchase_order(ws)
    desk.link("purchase_order", order_id, xero_status="BILLED")
    client_id = records.client(ws, name="Gone Ltd")
    desk.link("client", client_id, xero_status="ARCHIVED", xero_merged_into="m")
    supplier_id = records.supplier(ws)
    desk.link("supplier", supplier_id, xero_status="ARCHIVED")
    return [f"/invoices/{invoice_id}", "/invoices/?xero=overdue", "/invoices/?xero=paid",
            f"/xero/invoice/{invoice_id}/panel", f"/xero/invoice/{invoice_id}/history",
            f"/purchase-orders/{order_id}", "/purchase-orders/", f"/clients/{client_id}",
            f"/suppliers/{supplier_id}", "/settings/integrations/activity",
            "/settings/integrations/activity?status=xero"]


def test_a_get_never_writes(desk, app, pages):
    before = snapshot(app)
    for url in pages:
        for headers in ({}, HTMX):
            assert desk.client.get(url, headers=headers).status_code == 200, url
    assert snapshot(app) == before


def test_every_page_needs_a_login(desk, auth, pages):
    auth.logout()
    for url in pages:
        response = desk.client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]


def test_another_workspace_sees_none_of_it(desk, auth, records, pages):
    records.workspace(email="eve@example.com", password="eve password 123")
    auth.logout()
    auth.login("eve@example.com", "eve password 123")
    for url in pages:
        response = desk.client.get(url)
        if "?" in url or url.endswith("/") or url.endswith("/activity"):  # lists: her own, empty
            assert response.status_code == 200, url
            page = text_of(response.get_data(as_text=True))
            ours = ("INV-0001", "PO-0001", "Gone Ltd", "5.00 on 3 Dec")
            assert not any(word in page for word in ours), page
        else:
            assert response.status_code == 404, url
