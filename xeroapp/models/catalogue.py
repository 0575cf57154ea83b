"""Products: what we sell on invoices and buy on purchase orders (Xero Items)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.mixins import Timestamped, Versioned, WorkspaceOwned
from xeroapp.models.types import Money

# Xero has no shipping field on a PO: shipping is this unpublished product, added as a line.
SHIPPING_PRODUCT_SKU = "SHIPPING"
SHIPPING_PRODUCT_NAME = "Shipping and Handling"


class Product(WorkspaceOwned, Versioned, Timestamped, db.Model):
    __tablename__ = "products"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "sku"),)
    record_kind = "product"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Our SKU may be longer than Xero's 30-character Item Code; xero_code then holds the code
    # the user chose for Xero in the missing-products dialog, remembered for the next push.
    sku: so.Mapped[str] = so.mapped_column(sa.String(100))
    xero_code: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    cost_price: so.Mapped[Decimal | None] = so.mapped_column(Money)
    sale_price: so.Mapped[Decimal | None] = so.mapped_column(Money)
    # Unpublished products are hidden from invoice product pickers but usable on POs.
    published: so.Mapped[bool] = so.mapped_column(default=True)
    purchase_account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    sales_account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    tax_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.sku!r}>"


def shipping_product(workspace_id: int) -> Product:
    """A new "Shipping and Handling" product for a workspace (added at sign-up)."""
    return Product(
        workspace_id=workspace_id,
        sku=SHIPPING_PRODUCT_SKU,
        name=SHIPPING_PRODUCT_NAME,
        description="Freight, shipping and handling charges",
        published=False,
    )
