"""Shipping and Handling: in every workspace, unpublished, on POs but not invoices, kept."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.app.migration_support import OldSchema, close, database_at, migrate
from xeroapp.extensions import db
from xeroapp.models import Product
from xeroapp.models.catalogue import SHIPPING_PRODUCT_NAME, SHIPPING_PRODUCT_SKU
from xeroapp.products.catalogue import (
    ensure_shipping_product,
    products_for_invoices,
    products_for_purchase_orders,
)


def shipping_rows(app, workspace_id: int) -> list[Product]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Product).where(
            Product.workspace_id == workspace_id, Product.sku == SHIPPING_PRODUCT_SKU)).all()
        db.session.expunge_all()
        return rows


def test_every_new_workspace_has_it_unpublished(app, auth, records):
    auth.signup()
    other = records.workspace()
    for workspace_id in (records.workspace_id_of("ada@example.com"), other):
        [shipping] = shipping_rows(app, workspace_id)
        assert (shipping.name, shipping.published) == (SHIPPING_PRODUCT_NAME, False)


def test_a_get_does_not_recreate_it_but_add_shipping_does(app, client, auth, records):
    """Lost somehow (every workspace is made with it, and a migration gave it to older ones):
    the products list shows that without writing; "Add shipping" on a purchase order, a
    POST, brings it back, once."""
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    supplier_id = records.supplier(mine)
    with app.app_context():
        db.session.execute(sa.delete(Product))
        db.session.commit()
    assert "Shipping and Handling" not in client.get("/products/").get_data(as_text=True)
    assert shipping_rows(app, mine) == []

    for _ in range(2):
        added = client.post("/purchase-orders/form/lines", data={
            "op": "shipping", "supplier_id": str(supplier_id), "number": "PO-0001",
            "order_date": "2026-11-20", "currency": "NZD", "amount_type": "Exclusive"})
        assert "SHIPPING – Shipping and Handling" in added.get_data(as_text=True)
    assert len(shipping_rows(app, mine)) == 1


def test_pickers_offer_it_on_purchase_orders_only(app, records):
    workspace_id = records.workspace()
    records.product(workspace_id, sku="BEANS", name="Beans")
    records.product(workspace_id, sku="HIDDEN", name="Hidden", published=False)
    with app.app_context():
        for_invoices = [p.sku for p in products_for_invoices(workspace_id)]
        for_orders = [p.sku for p in products_for_purchase_orders(workspace_id)]
    assert for_invoices == ["BEANS"]
    assert for_orders == ["BEANS", "HIDDEN", SHIPPING_PRODUCT_SKU]


def test_pickers_are_per_workspace(app, records):
    mine, other = records.workspace(), records.workspace("Two", "two@example.com")
    records.product(other, sku="THEIRS")
    with app.app_context():
        assert [p.sku for p in products_for_purchase_orders(mine)] == [SHIPPING_PRODUCT_SKU]
        assert ensure_shipping_product(mine).workspace_id == mine


def test_it_cannot_be_deleted(app, client, auth, records):
    auth.signup()
    [shipping] = shipping_rows(app, records.workspace_id_of("ada@example.com"))
    page = client.get(f"/products/{shipping.id}").get_data(as_text=True)
    assert "Delete product" not in page and "It cannot be deleted." in page

    response = client.post(f"/products/{shipping.id}/delete", follow_redirects=True)
    assert "Shipping and Handling cannot be deleted: purchase orders use it for freight lines." in \
        response.get_data(as_text=True)
    assert len(shipping_rows(app, shipping.workspace_id)) == 1


def test_its_price_can_be_edited_but_not_its_identity(app, client, auth, records):
    auth.signup()
    [shipping] = shipping_rows(app, records.workspace_id_of("ada@example.com"))
    form = client.get(f"/products/{shipping.id}/edit").get_data(as_text=True)
    assert 'name="sku" readonly' in form and 'name="published"' not in form

    response = client.post(f"/products/{shipping.id}/edit", data={
        "sku": "FREIGHT", "name": "Freight", "published": "y", "cost_price": "35",
        "purchase_account_code": "425",
    })
    [saved] = shipping_rows(app, shipping.workspace_id)
    assert response.status_code == 302
    assert (saved.sku, saved.name, saved.published) == (SHIPPING_PRODUCT_SKU, SHIPPING_PRODUCT_NAME, False)
    assert (saved.cost_price, saved.purchase_account_code) == (Decimal("35"), "425")


def test_the_migration_gives_it_to_workspaces_made_without_it(tmp_path):
    app = database_at(tmp_path / "old.db", "cf95a4dd016f")
    try:
        with app.app_context(), db.engine.begin() as connection:
            old = OldSchema(connection)
            with_it, without, empty = (old.insert("workspaces", name=name)
                                       for name in ("With", "Without", "Empty"))
            old.insert("products", workspace_id=with_it, sku=SHIPPING_PRODUCT_SKU,
                       name="Freight", cost_price=Decimal("35"))
            old.insert("products", workspace_id=without, sku="BEANS", name="Beans")

        migrate(app, "upgrade", "b7103ca83903")

        with app.app_context():
            rows = db.session.execute(sa.text(
                "SELECT workspace_id, name, published, cost_price FROM products "
                "WHERE sku = :sku ORDER BY workspace_id"), {"sku": SHIPPING_PRODUCT_SKU}).all()
        assert [(r.workspace_id, r.name, bool(r.published)) for r in rows] == [
            (with_it, "Freight", False),  # left as it was
            (without, SHIPPING_PRODUCT_NAME, False),
            (empty, SHIPPING_PRODUCT_NAME, False),
        ]
        assert Decimal(str(rows[0].cost_price)) == Decimal("35")
        migrate(app, "downgrade", "cf95a4dd016f")
    finally:
        close(app)
