"""Dashboard, list and detail pages, and Settings."""
from __future__ import annotations

from decimal import Decimal

from xeroapp.extensions import db
from xeroapp.models import InvoiceLine, Workspace


def test_dashboard_shows_workspace_and_counts(client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    records.client(mine, name="A")
    records.client(mine, name="B")
    records.invoice(mine)  # adds a third client

    body = client.get("/").get_data(as_text=True)

    assert "<h1>Acme Ltd</h1>" in body
    assert '<span class="card-count">3</span>\n    <span class="card-label">Clients</span>' in body
    assert '<span class="card-count">1</span>\n    <span class="card-label">Invoices</span>' in body
    # the Shipping and Handling product every workspace starts with
    assert '<span class="card-count">1</span>\n    <span class="card-label">Products</span>' in body
    assert 'href="/settings/#integrations"' in body


def test_empty_lists_explain_themselves(client, auth):
    auth.signup()
    for url, text in (("/clients/", b"No clients yet"), ("/suppliers/", b"No suppliers yet"),
                      ("/invoices/", b"No invoices yet"), ("/purchase-orders/", b"No purchase orders yet")):
        response = client.get(url)
        assert response.status_code == 200
        assert text in response.data, url


def test_lists_show_records_with_links(client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    invoice_id = records.invoice(mine, number="INV-0042", reference="Weekly")
    po_id = records.purchase_order(mine, number="PO-0007")
    product_id = records.product(mine, sku="CUP-8OZ", name="Cups", cost_price=Decimal("95"))

    invoices = client.get("/invoices/").get_data(as_text=True)
    pos = client.get("/purchase-orders/").get_data(as_text=True)
    products = client.get("/products/").get_data(as_text=True)

    assert f'<a href="/invoices/{invoice_id}">INV-0042</a>' in invoices
    assert "NZD 28.75" in invoices  # 2 x 12.50
    assert f'<a href="/purchase-orders/{po_id}">PO-0007</a>' in pos and "NZD 95.00" in pos
    assert f'<a href="/products/{product_id}">Cups</a>' in products
    assert "Unpublished" in products  # Shipping and Handling


def test_list_paging_and_htmx_fragment(client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    for i in range(51):
        records.client(mine, name=f"Client {i:02d}")

    first = client.get("/clients/").get_data(as_text=True)
    second = client.get("/clients/?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)

    assert "Client 49" in first and "Client 50" not in first and "Page 1 of 2" in first
    assert second.startswith('<div class="table-region"') and "Client 50" in second


def test_invoice_detail_shows_lines_and_totals(client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    invoice_id = records.invoice(mine, lines=[
        InvoiceLine(position=0, description="Beans", quantity=Decimal("3"), unit_price=Decimal("10")),
        InvoiceLine(position=1, description="Cups", quantity=Decimal("1.5"), unit_price=Decimal("20"),
                    discount_rate=Decimal("10")),
    ])

    body = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)

    assert "Beans" in body and "Cups" in body
    assert '<td class="num">1.5</td>' in body and '<td class="num">27.00</td>' in body
    assert "NZD 57.00" in body


def test_settings_updates_name_and_currency(app, client, auth):
    auth.signup()

    response = client.post("/settings/", data={"name": "Acme Holdings", "default_currency": "AUD"})

    assert response.status_code == 302
    with app.app_context():
        workspace = db.session.scalar(db.select(Workspace))
        assert (workspace.name, workspace.default_currency) == ("Acme Holdings", "AUD")
    assert b"Settings saved." in client.get("/settings/").data


def test_settings_validation(app, client, auth):
    auth.signup()

    response = client.post("/settings/", data={"name": " ", "default_currency": "XXX"})

    assert response.status_code == 422
    assert b"Enter the name of your business." in response.data
    assert b"Not a valid choice" in response.data
    with app.app_context():
        workspace = db.session.scalar(db.select(Workspace))
        assert (workspace.name, workspace.default_currency) == ("Acme Ltd", "NZD")


def test_settings_shows_integration_and_purchase_order_sections(client, auth):
    auth.signup()
    body = client.get("/settings/").get_data(as_text=True)
    assert 'id="integrations"' in body and "Not connected." in body
    assert 'id="purchase-orders"' in body and "Draft" in body
