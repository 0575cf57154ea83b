"""Invoices and purchase orders, each with ordered line items."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.catalogue import Product
from xeroapp.models.contacts import Client, Supplier
from xeroapp.models.mixins import Timestamped, Versioned, WorkspaceOwned
from xeroapp.models.types import Money, Percent, Quantity

# How line amounts are entered; the values are Xero's LineAmountTypes.
AMOUNT_TYPES = {"Exclusive": "Tax exclusive", "Inclusive": "Tax inclusive", "NoTax": "No tax"}
INVOICE_STATUSES = {"draft": "Draft", "sent": "Sent"}
PO_STATUSES = {"draft": "Draft", "ordered": "Ordered"}

_TWO_PLACES = Decimal("0.01")
# What a document without a number yet shows: the workspace lets Xero number new documents,
# and this one has not been sent (Xero's number is written back after the push).
UNNUMBERED = "Draft — numbered by Xero when sent"


def number_key(number: str | None) -> str | None:
    """How document numbers compare: Xero refuses a second one that differs only in case."""
    return number.casefold() if number else None


class Numbered:
    """``number`` is NULL until Xero gives one (Settings: let Xero number them). Unique per
    workspace when set, ignoring case: the unique constraint is on ``number_key``, which is
    set with the number (SQL unique constraints let any number of NULLs through).

    A column rather than an index on lower(number): SQLite cannot reflect expression indexes,
    so a later batch migration, which rebuilds the table, would silently drop one.
    """

    number: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # Text: case folding may lengthen a number ("ß" becomes "ss").
    number_key: so.Mapped[str | None] = so.mapped_column(sa.Text)

    @so.validates("number")
    def _keep_number_key(self, _attribute: str, number: str | None) -> str | None:
        self.number_key = number_key(number)
        return number

    @property
    def display_number(self) -> str:
        return self.number or UNNUMBERED

    @property
    def label(self) -> str:
        """How lists of records name it: its number, or until it has one, whose and when
        (``draft for Bayside Café, 02 Nov 2026``)."""
        if self.number:
            return self.number
        return f"draft for {self.party_name}, {self.document_date:%d %b %Y}"


class Invoice(Numbered, WorkspaceOwned, Versioned, Timestamped, db.Model):
    __tablename__ = "invoices"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "number_key"),)
    record_kind = "invoice"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("clients.id"), index=True)
    issue_date: so.Mapped[date]
    due_date: so.Mapped[date | None]
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    amount_type: so.Mapped[str] = so.mapped_column(sa.String(10), default="Exclusive")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="draft")

    client: so.Mapped[Client] = so.relationship()
    lines: so.Mapped[list[InvoiceLine]] = so.relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )

    @property
    def party_name(self) -> str:
        return self.client.name

    @property
    def document_date(self) -> date:
        return self.issue_date

    # Draft/sent is local bookkeeping (Xero always gets a DRAFT): marking an invoice as sent
    # must not make it look changed since its last push.
    version_ignore = ("status",)

    @property
    def subtotal(self) -> Decimal:
        """Sum of the line amounts as entered (tax is computed by Xero from its tax rates)."""
        return sum((line.amount for line in self.lines), Decimal("0")).quantize(_TWO_PLACES)

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.number!r}>"


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    invoice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    product_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("products.id"), index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    quantity: so.Mapped[Decimal] = so.mapped_column(Quantity, default=Decimal("1"))
    unit_price: so.Mapped[Decimal] = so.mapped_column(Money, default=Decimal("0"))
    discount_rate: so.Mapped[Decimal | None] = so.mapped_column(Percent)
    account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    tax_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    # Xero's LineItemID once pushed, so an Update edits lines instead of recreating them.
    xero_line_item_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))

    invoice: so.Mapped[Invoice] = so.relationship(back_populates="lines")
    product: so.Mapped[Product | None] = so.relationship()

    version_ignore = ("xero_line_item_id",)

    @property
    def versioned_parent(self) -> Invoice | None:
        return self.invoice

    @property
    def amount(self) -> Decimal:
        gross = (self.quantity or 0) * (self.unit_price or 0)
        if self.discount_rate:
            gross = gross * (Decimal("100") - self.discount_rate) / Decimal("100")
        # Half-up, as Xero rounds LineAmount (xeroapp.documents.totals does the same).
        return Decimal(gross).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


class PurchaseOrder(Numbered, WorkspaceOwned, Versioned, Timestamped, db.Model):
    __tablename__ = "purchase_orders"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "number_key"),)
    record_kind = "purchase_order"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    supplier_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    order_date: so.Mapped[date]
    delivery_date: so.Mapped[date | None]
    delivery_address: so.Mapped[str | None] = so.mapped_column(sa.Text)
    attention_to: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    telephone: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    delivery_instructions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    amount_type: so.Mapped[str] = so.mapped_column(sa.String(10), default="Exclusive")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="draft")
    # "Save to Xero": pushed right after each save while on; off keeps the PO local.
    save_to_xero: so.Mapped[bool] = so.mapped_column(default=False)

    supplier: so.Mapped[Supplier] = so.relationship()
    lines: so.Mapped[list[PurchaseOrderLine]] = so.relationship(
        back_populates="purchase_order", cascade="all, delete-orphan",
        order_by="PurchaseOrderLine.position",
    )

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0")).quantize(_TWO_PLACES)

    @property
    def party_name(self) -> str:
        return self.supplier.name

    @property
    def document_date(self) -> date:
        return self.order_date

    def __repr__(self) -> str:
        return f"<PurchaseOrder {self.id} {self.number!r}>"


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_lines"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    purchase_order_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    product_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("products.id"), index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    quantity: so.Mapped[Decimal] = so.mapped_column(Quantity, default=Decimal("1"))
    unit_cost: so.Mapped[Decimal] = so.mapped_column(Money, default=Decimal("0"))
    account_code: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    tax_type: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    xero_line_item_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))

    purchase_order: so.Mapped[PurchaseOrder] = so.relationship(back_populates="lines")
    product: so.Mapped[Product | None] = so.relationship()

    version_ignore = ("xero_line_item_id",)

    @property
    def versioned_parent(self) -> PurchaseOrder | None:
        return self.purchase_order

    @property
    def amount(self) -> Decimal:
        return Decimal((self.quantity or 0) * (self.unit_cost or 0)).quantize(_TWO_PLACES)
