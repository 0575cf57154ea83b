"""Which products each kind of document may use, and the Shipping and Handling product.

Invoice and purchase-order product pickers import these instead of querying Product
themselves, so the "unpublished means purchase orders only" rule lives in one place.
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import InvoiceLine, Product, PurchaseOrderLine
from xeroapp.models.catalogue import SHIPPING_PRODUCT_SKU, shipping_product


def products_for_invoices(workspace_id: int) -> list[Product]:
    """Published products only: unpublished ones (Shipping and Handling) are for POs."""
    query = (sa.select(Product)
             .where(Product.workspace_id == workspace_id, Product.published.is_(True))
             .order_by(Product.name, Product.id))
    return list(db.session.scalars(query))


def products_for_purchase_orders(workspace_id: int) -> list[Product]:
    """Every product, published or not, Shipping and Handling included."""
    query = (sa.select(Product).where(Product.workspace_id == workspace_id)
             .order_by(Product.name, Product.id))
    return list(db.session.scalars(query))


def find_shipping_product(workspace_id: int) -> Product | None:
    return db.session.scalar(sa.select(Product).where(Product.workspace_id == workspace_id,
                                                      Product.sku == SHIPPING_PRODUCT_SKU))


def ensure_shipping_product(workspace_id: int) -> Product:
    """The workspace's Shipping and Handling product, added (and committed) if it is missing.

    Every workspace is made with it (and a migration gave it to older ones), so this only
    writes if it was somehow lost. Only for requests that may write (POST): a GET never does.
    """
    product = find_shipping_product(workspace_id)
    if product is None:
        product = shipping_product(workspace_id)
        db.session.add(product)
        db.session.commit()
    return product


def is_shipping_product(product: Product) -> bool:
    return product.sku == SHIPPING_PRODUCT_SKU


def product_usage(product: Product) -> int:
    """How many invoice and purchase-order lines use ``product`` (a used product stays)."""
    on_invoices = sa.select(sa.func.count()).select_from(InvoiceLine).where(
        InvoiceLine.product_id == product.id)
    on_orders = sa.select(sa.func.count()).select_from(PurchaseOrderLine).where(
        PurchaseOrderLine.product_id == product.id)
    return (db.session.scalar(on_invoices) or 0) + (db.session.scalar(on_orders) or 0)
