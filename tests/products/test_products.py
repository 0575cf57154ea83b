"""Products: list and filters, create, edit, delete-when-unused, Xero length warnings."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrderLine
from xeroapp.models.catalogue import SHIPPING_PRODUCT_SKU
from xeroapp.products.forms import NAME_TOO_LONG, SKU_TOO_LONG

FULL = {
    "sku": " BEAN-HOUSE-1KG ", "name": "House blend beans 1 kg", "description": "Medium roast",
    "cost_price": "18.5", "sale_price": "1,032.1250", "published": "y",
    "purchase_account_code": "300", "sales_account_code": "200", "tax_type": "INPUT2",
}


def product_by_sku(app, sku: str) -> Product | None:
    with app.app_context():
        product = db.session.scalar(sa.select(Product).where(Product.sku == sku))
        db.session.expunge_all()
        return product


def ada(auth, records) -> int:
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def test_create_persists_exactly_what_was_entered(app, client, auth):
    auth.signup()
    response = client.post("/products/new", data=FULL)
    product = product_by_sku(app, "BEAN-HOUSE-1KG")
    assert response.headers["Location"] == f"/products/{product.id}"
    assert (product.name, product.description, product.cost_price, product.sale_price,
            product.published, product.purchase_account_code, product.sales_account_code,
            product.tax_type) == ("House blend beans 1 kg", "Medium roast", Decimal("18.5"),
                                  Decimal("1032.125"), True, "300", "200", "INPUT2")


def test_unticked_published_makes_an_unpublished_product(app, client, auth):
    auth.signup()
    client.post("/products/new", data={k: v for k, v in FULL.items() if k != "published"})
    assert product_by_sku(app, "BEAN-HOUSE-1KG").published is False


def test_validation_messages_and_nothing_lost(app, client, auth, records):
    records.product(ada(auth, records), sku="TAKEN")
    cases = [
        ({"sku": ""}, "Enter a SKU (your product code)."),
        ({"sku": "taken"}, "Another product already has this SKU."),
        ({"name": ""}, "Enter the product&#39;s name."),
        ({"cost_price": "-1"}, "Enter 0 or more."),
        ({"sale_price": "abc"}, "Enter an amount, like 12.50."),
        ({"cost_price": "1.23456"}, "Use at most 4 decimal places."),
        ({"purchase_account_code": "30 0"}, "Use letters and digits only, like 300."),
        ({"sales_account_code": "12345678901"}, "Xero account codes have at most 10 characters."),
        ({"tax_type": "BOGUS"}, "Not a valid choice."),
    ]
    for override, message in cases:
        response = client.post("/products/new", data={**FULL, **override})
        body = response.get_data(as_text=True)
        assert response.status_code == 422, override
        assert message in body, override
        assert "Medium roast</textarea>" in body, override
    assert product_by_sku(app, "BEAN-HOUSE-1KG") is None


def test_same_sku_is_fine_in_another_workspace(app, client, auth, records):
    records.product(records.workspace(), sku="BEAN-HOUSE-1KG")
    auth.signup()
    assert client.post("/products/new", data=FULL).status_code == 302


def test_long_sku_and_name_are_allowed_with_a_warning(app, client, auth):
    auth.signup()
    long_sku, long_name = "S" * 31, "N" * 51
    response = client.post("/products/new", data={**FULL, "sku": long_sku, "name": long_name},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert product_by_sku(app, long_sku).name == long_name
    assert SKU_TOO_LONG.replace("'", "&#39;") in body and NAME_TOO_LONG.replace("'", "&#39;") in body

    form = client.get(f"/products/{product_by_sku(app, long_sku).id}/edit").get_data(as_text=True)
    assert form.count('data-soft-limit-warning>') == 2  # both shown (no "hidden")


def test_warnings_stay_hidden_within_xeros_limits(client, auth):
    auth.signup()
    form = client.get("/products/new").get_data(as_text=True)
    assert 'data-soft-limit="30"' in form and 'data-soft-limit="50"' in form
    assert form.count("data-soft-limit-warning hidden>") == 2
    response = client.post("/products/new", data={**FULL, "sku": "S" * 30, "name": "N" * 50},
                           follow_redirects=True)
    assert "flash-warning" not in response.get_data(as_text=True)


def test_edit_saves_changes(app, client, auth, records):
    product_id = records.product(ada(auth, records), sku="CUP", name="Cups")
    response = client.post(f"/products/{product_id}/edit", data={**FULL, "sku": "CUP-8OZ",
                                                                  "cost_price": "95"})
    product = product_by_sku(app, "CUP-8OZ")
    assert response.headers["Location"] == f"/products/{product_id}"
    assert (product.id, product.cost_price, product.version) == (product_id, Decimal("95"), 2)


def test_unused_product_can_be_deleted(app, client, auth, records):
    product_id = records.product(ada(auth, records), sku="GONE")
    assert client.post(f"/products/{product_id}/delete").headers["Location"] == "/products/"
    assert product_by_sku(app, "GONE") is None


def test_product_on_a_line_cannot_be_deleted(app, client, auth, records):
    mine = ada(auth, records)
    product_id = records.product(mine, sku="USED", name="Used thing")
    records.purchase_order(mine, lines=[PurchaseOrderLine(product_id=product_id, description="x",
                                                          quantity=Decimal("1"),
                                                          unit_cost=Decimal("1"))])
    response = client.post(f"/products/{product_id}/delete", follow_redirects=True)
    assert "Used thing cannot be deleted: 1 invoice or purchase order line uses it." in \
        response.get_data(as_text=True)
    assert product_by_sku(app, "USED") is not None


def test_another_workspaces_product_cannot_be_edited_or_deleted(app, client, auth, records):
    theirs = records.product(records.workspace(), sku="THEIRS")
    auth.signup()
    assert client.post(f"/products/{theirs}/edit", data=FULL).status_code == 404
    assert client.post(f"/products/{theirs}/delete").status_code == 404
    assert product_by_sku(app, "THEIRS") is not None


def test_list_search_and_visibility_filter(client, auth, records):
    mine = ada(auth, records)
    records.product(mine, sku="BEAN-1", name="Beans")
    records.product(mine, sku="LID-1", name="Lids", published=False)

    search = client.get("/products/?q=bean").get_data(as_text=True)
    published = client.get("/products/?visibility=published").get_data(as_text=True)
    unpublished = client.get("/products/?visibility=unpublished").get_data(as_text=True)

    assert "Beans" in search and "Lids" not in search
    assert "Beans" in published and "Lids" not in published and "Shipping and Handling" not in published
    assert "Lids" in unpublished and "Shipping and Handling" in unpublished and "Beans" not in unpublished
    assert "No products match" in client.get("/products/?q=nothing").get_data(as_text=True)


def test_paging_keeps_the_filters(client, auth, records):
    mine = ada(auth, records)
    for i in range(51):
        records.product(mine, sku=f"P{i:02d}", name=f"Product {i:02d}")
    body = client.get("/products/?visibility=published").get_data(as_text=True)
    assert 'href="/products/?visibility=published&amp;page=2"' in body
