"""Between the purchase order form and the PurchaseOrder rows: choices, prefilled values,
a product filling a row, and saving (with the push to Xero when "Save to Xero" is on)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from xeroapp.documents.editing import apply_lines, text_or_none
from xeroapp.documents.forms import NEW_ROW
from xeroapp.documents.lines import set_value
from xeroapp.documents.totals import LineFigures, Totals, amount_type_or_default, compute_totals
from xeroapp.extensions import db
from xeroapp.limits import MAX_LINES
from xeroapp.listing import workspace_select
from xeroapp.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier, Workspace
from xeroapp.products.catalogue import products_for_purchase_orders
from xeroapp.purchase_orders import tax
from xeroapp.purchase_orders.forms import LineForm, PurchaseOrderForm
from xeroapp.purchase_orders.numbering import number_for_new
from xeroapp.sync.outbox import StagedPush, is_pending_push_clash, pending_push, stage_push

# Header fields copied as they are between the form and the order.
COPIED = ("order_date", "delivery_date", "status", "amount_type")
# Text fields stored trimmed, None when empty.
TEXTS = ("reference", "delivery_address", "attention_to", "telephone", "delivery_instructions")


def supplier_choices() -> list[Supplier]:
    return list(db.session.scalars(workspace_select(Supplier).order_by(Supplier.name, Supplier.id)))


def configure(form: PurchaseOrderForm, workspace: Workspace,
              purchase_order: PurchaseOrder | None = None) -> PurchaseOrderForm:
    """Choices of the workspace; an order's currency and the tax codes already on it stay valid."""
    saved = purchase_order.lines if purchase_order is not None else []
    form.configure(
        workspace_id=workspace.id,
        purchase_order_id=purchase_order.id if purchase_order is not None else None,
        currency=purchase_order.currency if purchase_order is not None else workspace.default_currency,
        suppliers=supplier_choices(),
        products=products_for_purchase_orders(workspace.id),
        tax_rates=tax.rate_choices(workspace, {line.tax_type for line in saved if line.tax_type}),
        numbered_by_xero=workspace.numbered_by_xero,
    )
    return form


def new_order_data(workspace: Workspace, supplier_id: int | None = None) -> dict[str, Any]:
    """A new order: the next number, today, Save to Xero from Settings, and the delivery
    details of the last order (usually the same warehouse)."""
    last = db.session.scalar(workspace_select(PurchaseOrder)
                             .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
                             .limit(1))
    data = {
        "number": number_for_new(workspace),
        "order_date": date.today(),
        "supplier_id": str(supplier_id or ""),
        "save_to_xero": workspace.po_save_to_xero_default,
        "lines": [dict(NEW_ROW)],
    }
    if last is not None:
        data.update(delivery_address=last.delivery_address, attention_to=last.attention_to,
                    telephone=last.telephone)
    return data


def order_data(purchase_order: PurchaseOrder, workspace: Workspace) -> dict[str, Any]:
    """The order as its form shows it; one still waiting for Xero's number is offered the
    workspace's next own number if the workspace numbers its own documents now."""
    data = {name: getattr(purchase_order, name)
            for name in (*COPIED, *TEXTS, "save_to_xero")}
    data["number"] = purchase_order.number or number_for_new(workspace)
    data["supplier_id"] = str(purchase_order.supplier_id)
    data["lines"] = [line_data(line) for line in purchase_order.lines] or [dict(NEW_ROW)]
    return data


def line_data(line: PurchaseOrderLine) -> dict[str, Any]:
    return {"line_id": str(line.id), "product_id": str(line.product_id or ""),
            "description": line.description, "quantity": line.quantity,
            "unit_cost": line.unit_cost, "tax_type": line.tax_type or ""}


def fill_from_product(line: LineForm, product: Product | None) -> None:
    """Choosing a product brings its name, cost price and tax rate."""
    if product is None:  # none chosen, or not one of this workspace's: the row stays as typed
        return
    set_value(line.description, product.name)
    if product.cost_price is not None:
        set_value(line.unit_cost, product.cost_price)
    if product.tax_type:
        line.tax_type.data = product.tax_type


def add_shipping(form: PurchaseOrderForm, shipping: Product) -> None:
    """A Shipping and Handling line (Xero purchase orders have no shipping field): it fills a
    trailing empty row, or comes after the others while there is room."""
    entries = form.lines.entries
    if entries and entries[-1].form.is_blank():
        line = entries[-1].form
        set_value(line.quantity, NEW_ROW["quantity"])
    elif len(entries) < MAX_LINES:
        line = form.add_line()
    else:
        return
    line.product_id.data = str(shipping.id)
    fill_from_product(line, shipping)


def apply_form(form: PurchaseOrderForm, purchase_order: PurchaseOrder) -> None:
    """Copy a validated form onto the order; its lines are edited in place (xeroapp.documents)."""
    purchase_order.supplier_id = int(form.supplier_id.data)
    purchase_order.number = text_or_none(form.number.data)  # None: Xero numbers it
    for name in COPIED:
        setattr(purchase_order, name, getattr(form, name).data)
    for name in TEXTS:
        setattr(purchase_order, name, text_or_none(getattr(form, name).data))
    purchase_order.save_to_xero = bool(form.save_to_xero.data)
    apply_lines(purchase_order, form.line_forms(), PurchaseOrderLine,
                lambda row, line: _apply_line(row, line, form.product_of(row)))


def _apply_line(row: LineForm, line: PurchaseOrderLine, product: Product | None) -> None:
    line.product_id = product.id if product else None
    line.description = (row.description.data or "").strip() or (product.name if product else "")
    line.quantity = row.quantity.data
    line.unit_cost = row.unit_cost.data
    line.tax_type = row.tax_type.data or None
    if product is not None and product.purchase_account_code:
        line.account_code = product.purchase_account_code


def save(form: PurchaseOrderForm, purchase_order: PurchaseOrder, user) -> StagedPush | None:
    """Write the form onto the order and commit; None (with a field error) on a number clash.

    The unique constraint is the last word on the number: two people saving the same
    suggested number at once get one order each way, never two with one number.
    With "Save to Xero" on, the push row is written in the same transaction and enqueued
    after the commit; the returned StagedPush says what happens in Xero.
    """
    db.session.add(purchase_order)
    try:
        apply_form(form, purchase_order)
        staged = stage_push(purchase_order, user) if purchase_order.save_to_xero else StagedPush()
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if purchase_order.id is None or not is_pending_push_clash(exc):
            form.number.errors = [form.number_taken_message]
            return None
        # Another save of this order recorded its push a moment ago: that push carries this save.
        apply_form(form, purchase_order)
        db.session.commit()
        return StagedPush(job=pending_push(purchase_order))
    staged.enqueue()
    return staged


def form_totals(form: PurchaseOrderForm, workspace: Workspace) -> Totals:
    """Totals of the form as typed (each row's amount in ``line_amounts``, by row number)."""
    return compute_totals([line.figures() for line in form.line_forms()],
                          amount_type_or_default(form.amount_type.data),
                          tax.rate_lookup(workspace))


def order_totals(purchase_order: PurchaseOrder, workspace: Workspace) -> Totals:
    """Totals of a saved order, worked out as Xero will."""
    return compute_totals(
        [LineFigures(line.quantity, line.unit_cost, None, line.tax_type)
         for line in purchase_order.lines],
        purchase_order.amount_type, tax.rate_lookup(workspace))
