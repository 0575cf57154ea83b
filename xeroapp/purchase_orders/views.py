"""Purchase orders: list with filters, create and edit with live totals, detail with tabs.

The form's line rows are edited with htmx: ``lines`` re-renders the rows after Add line /
Add shipping / Remove / choosing a product, and ``totals`` recomputes the amounts as numbers
are typed. Both only render: nothing is saved until the form itself is submitted.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.extensions import db
from xeroapp.ids import arg_id, form_id, optional_id, parse_row
from xeroapp.limits import MAX_LINES
from xeroapp.listing import paginate, workspace_select
from xeroapp.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier
from xeroapp.models.documents import AMOUNT_TYPES, PO_STATUSES
from xeroapp.products.catalogue import ensure_shipping_product, products_for_purchase_orders
from xeroapp.invoices.totals import LineFigures, Totals, compute_totals
from xeroapp.purchase_orders import bp
from xeroapp.purchase_orders.forms import LineForm, PurchaseOrderForm, line_defaults
from xeroapp.purchase_orders.numbering import number_for_new
from xeroapp.purchase_orders.rows import (
    NEW_ROW,
    add_row,
    has_room,
    join_rows,
    remove_row,
    split_rows,
)
from xeroapp.purchase_orders.tax import rate_choices, rate_lookup, rate_name
from xeroapp.rendering import render_page_or_partial
from xeroapp.sync.outbox import (NOT_CONNECTED, StagedPush, is_pending_push_clash, pending_push,
                                 stage_push)

DETAIL_TABS = ("details", "xero")


# ---- list and detail -------------------------------------------------------------------------

@bp.get("/")
def index():
    status = request.args.get("status", "")
    supplier_id = arg_id("supplier")
    q = request.args.get("q", "").strip()
    query = (
        workspace_select(PurchaseOrder)
        .options(so.selectinload(PurchaseOrder.supplier), so.selectinload(PurchaseOrder.lines))
        .order_by(PurchaseOrder.order_date.desc(), PurchaseOrder.id.desc())
    )
    if status in PO_STATUSES:
        query = query.where(PurchaseOrder.status == status)
    if supplier_id:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    if q:
        query = query.where(sa.or_(PurchaseOrder.number.icontains(q, autoescape=True),
                                   PurchaseOrder.reference.icontains(q, autoescape=True)))
    return render_page_or_partial(
        "purchase_orders/index.html", "purchase_orders/partials/_table.html",
        page=paginate(query), suppliers=_suppliers(), status_filter=status,
        supplier_id=supplier_id, q=q, filtered=bool(status or supplier_id or q))


@bp.get("/<id:purchase_order_id>")
def detail(purchase_order_id: int):
    purchase_order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    tab = request.args.get("tab", "details")
    return render_page_or_partial(
        "purchase_orders/detail.html", "purchase_orders/partials/_details.html",
        purchase_order=purchase_order, totals=document_totals(purchase_order),
        tab=tab if tab in DETAIL_TABS else "details",
        tax_rate_name=lambda code: rate_name(current_user.workspace, code))


def document_totals(purchase_order: PurchaseOrder) -> Totals:
    """Totals of a saved order, worked out as Xero will (xeroapp/invoices/totals.py)."""
    return compute_totals(
        (LineFigures(line.quantity, line.unit_cost, None, line.tax_type)
         for line in purchase_order.lines),
        purchase_order.amount_type, rate_lookup(current_user.workspace))


# ---- create and edit ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def create():
    workspace = current_user.workspace
    data = None if request.method == "POST" else _new_order_data(workspace)
    form = _form(data=data, currency=workspace.default_currency)
    if form.validate_on_submit():
        purchase_order = PurchaseOrder(workspace_id=workspace.id,
                                       currency=workspace.default_currency)
        db.session.add(purchase_order)
        staged = _save(form, purchase_order)
        if staged is not None:
            return _saved(purchase_order, staged, created=True)
    return _render_form(form, purchase_order=None)


@bp.route("/<id:purchase_order_id>/edit", methods=["GET", "POST"])
def edit(purchase_order_id: int):
    purchase_order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    data = None if request.method == "POST" else _order_data(purchase_order)
    form = _form(data=data, currency=purchase_order.currency, purchase_order_id=purchase_order.id,
                 keep_tax_types={line.tax_type for line in purchase_order.lines if line.tax_type})
    conflict = stale.check(form, purchase_order)
    if conflict is not None:  # changed since this form was opened: keep what was typed
        return stale.refused(conflict, lambda: _form_page(form, purchase_order, conflict))
    if form.validate_on_submit():
        staged = _save(form, purchase_order)
        if staged is not None:
            return _saved(purchase_order, staged, created=False)
    return _render_form(form, purchase_order=purchase_order)


def _save(form: PurchaseOrderForm, purchase_order: PurchaseOrder) -> StagedPush | None:
    """Write the form onto the order and commit; None (with a field error) on a number clash.

    The unique constraint is the last word on the number: two people saving the same
    suggested number at once get one order each way, never two with one number.
    With "Save to Xero" on, the push row is written in the same transaction (sync.outbox)
    and enqueued after the commit; the returned StagedPush says what happens in Xero.
    """
    try:
        apply_form(form, purchase_order)
        staged = (stage_push(purchase_order, current_user) if purchase_order.save_to_xero
                  else StagedPush())
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if purchase_order.id is None or not is_pending_push_clash(exc):
            form.number.errors = ["Another purchase order already has this number."]
            return None
        # Another save of this order recorded its push a moment ago: that push carries this save.
        apply_form(form, purchase_order)
        db.session.commit()
        return StagedPush(job=pending_push(purchase_order))
    staged.enqueue()
    return staged


def _saved(purchase_order: PurchaseOrder, staged: StagedPush, created: bool) -> Response:
    verb = "created" if created else "saved"
    if purchase_order.number:
        flash(f"Purchase order {purchase_order.number} {verb}.", "success")
    else:
        flash(f"Purchase order {verb}. Xero gives it a number when it is sent.", "success")
    if staged.not_connected:
        flash(NOT_CONNECTED, "warning")
    # While it goes to Xero, open the Xero tab: its panel shows the progress (and the
    # missing-products dialog opens from there when Xero lacks some products).
    tab = "xero" if staged.job is not None else None
    return redirect(url_for("purchase_orders.detail", purchase_order_id=purchase_order.id,
                            tab=tab))


def apply_form(form: PurchaseOrderForm, purchase_order: PurchaseOrder) -> None:
    """Copy the form onto the order. Lines keep their row (and Xero line id) when edited."""
    purchase_order.supplier_id = int(form.supplier_id.data)
    purchase_order.number = (form.number.data or "").strip() or None  # None: Xero numbers it
    purchase_order.order_date = form.order_date.data
    purchase_order.delivery_date = form.delivery_date.data
    purchase_order.status = form.status.data
    purchase_order.amount_type = form.amount_type.data
    purchase_order.save_to_xero = bool(form.save_to_xero.data)
    for name in ("reference", "delivery_address", "attention_to", "telephone",
                 "delivery_instructions"):
        setattr(purchase_order, name, (getattr(form, name).data or "").strip() or None)
    existing = {line.id: line for line in purchase_order.lines}
    lines = []
    for position, row in enumerate(form.filled_lines()):
        line = existing.pop(row.line_id_value, None) or PurchaseOrderLine()
        _apply_line(row, line, form.product_of(row), position)
        lines.append(line)
    purchase_order.lines = lines  # rows no longer in the form are deleted (delete-orphan)


def _apply_line(row: LineForm, line: PurchaseOrderLine, product: Product | None,
                position: int) -> None:
    line.position = position
    line.product_id = product.id if product else None
    line.description = (row.description.data or "").strip() or (product.name if product else "")
    line.quantity = row.quantity.data
    line.unit_cost = row.unit_cost.data
    line.tax_type = row.tax_type.data or None
    if product is not None and product.purchase_account_code:
        line.account_code = product.purchase_account_code


# ---- htmx: line rows and live totals -----------------------------------------------------------

@bp.post("/form/lines")
def lines():
    """Re-render the line rows after one change, given as ``op``; everything typed is kept.

    ``add``, ``shipping``, ``remove-<row>``, ``product-<row>`` (fill the row from its product).
    """
    header, rows = split_rows(request.form)
    op = header.pop("op", "")
    # At the line limit, adding gives the rows back as they were; the block says why.
    if op == "add":
        if len(rows) < MAX_LINES:
            rows.append(dict(NEW_ROW))
    elif op == "shipping":
        if has_room(rows):
            shipping = ensure_shipping_product(current_user.workspace_id)
            add_row(rows, {"product_id": str(shipping.id), **NEW_ROW, **line_defaults(shipping)})
    elif op.startswith("remove-") and (index := parse_row(op[7:])) is not None:
        remove_row(rows, index)
    elif op.startswith("product-") and (index := parse_row(op[8:])) is not None and index < len(rows):
        row = rows[index]
        row.update(line_defaults(_workspace_product(row.get("product_id", ""))))
    else:
        abort(400)
    form = _htmx_form(join_rows(header, rows))
    return render_template("purchase_orders/partials/_lines.html", form=form,
                           totals=form_totals(form))


@bp.post("/form/totals")
def totals():
    """The totals and each row's amount, for what is typed right now (nothing is saved)."""
    form = _htmx_form(request.form)
    return render_template("purchase_orders/partials/_totals_update.html", form=form,
                           totals=form_totals(form))


def form_totals(form: PurchaseOrderForm) -> Totals:
    amount_type = form.amount_type.data if form.amount_type.data in AMOUNT_TYPES else "Exclusive"
    return compute_totals(
        (LineFigures(entry.form.quantity.data, entry.form.unit_cost.data, None,
                     entry.form.tax_type.data or None)
         for entry in form.lines),
        amount_type, rate_lookup(current_user.workspace))


# ---- helpers -------------------------------------------------------------------------------

def _form(*, currency: str, purchase_order_id: int | None = None,
          keep_tax_types: set[str] | None = None, **kwargs) -> PurchaseOrderForm:
    workspace = current_user.workspace
    return PurchaseOrderForm(workspace_id=workspace.id, currency=currency,
                             suppliers=_suppliers(),
                             products=products_for_purchase_orders(workspace.id),
                             tax_choices=rate_choices(workspace, keep_tax_types),
                             purchase_order_id=purchase_order_id,
                             numbered_by_xero=workspace.numbered_by_xero, **kwargs)


def _htmx_form(formdata) -> PurchaseOrderForm:
    """The form as posted by the line and totals requests (an edit names its order, whose
    currency and saved tax codes then apply)."""
    purchase_order_id = form_id("purchase_order_id")
    if purchase_order_id:
        purchase_order = get_owned_or_404(PurchaseOrder, purchase_order_id)
        return _form(formdata=formdata, currency=purchase_order.currency,
                     purchase_order_id=purchase_order.id,
                     keep_tax_types={line.tax_type for line in purchase_order.lines if line.tax_type})
    return _form(formdata=formdata, currency=current_user.workspace.default_currency)


def _suppliers() -> list[Supplier]:
    return list(db.session.scalars(workspace_select(Supplier).order_by(Supplier.name, Supplier.id)))


def _workspace_product(product_id: str) -> Product | None:
    record_id = optional_id(product_id)
    product = db.session.get(Product, record_id) if record_id is not None else None
    if product is None or product.workspace_id != current_user.workspace_id:
        return None
    return product


def _new_order_data(workspace) -> dict:
    """A new order: the next number, today, Save to Xero from Settings, and the delivery
    details of the last order (usually the same warehouse)."""
    last = db.session.scalar(workspace_select(PurchaseOrder)
                             .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
                             .limit(1))
    supplier_id = arg_id("supplier_id")
    data = {
        "number": number_for_new(workspace),
        "order_date": date.today(),
        "supplier_id": str(supplier_id or ""),
        "save_to_xero": workspace.po_save_to_xero_default,
        "lines": [_new_line_data()],
    }
    if last is not None:
        data.update(delivery_address=last.delivery_address, attention_to=last.attention_to,
                    telephone=last.telephone)
    return data


def _order_data(purchase_order: PurchaseOrder) -> dict:
    fields = ("number", "order_date", "delivery_date", "reference", "status", "amount_type",
              "delivery_address", "attention_to", "telephone", "delivery_instructions",
              "save_to_xero")
    data = {name: getattr(purchase_order, name) for name in fields}
    # Still waiting for Xero's number: offered the next own number if the workspace now
    # numbers its own documents.
    data["number"] = purchase_order.number or number_for_new(current_user.workspace)
    data["supplier_id"] = str(purchase_order.supplier_id)
    data["lines"] = [{
        "line_id": str(line.id), "product_id": str(line.product_id or ""),
        "description": line.description, "quantity": line.quantity,
        "unit_cost": line.unit_cost, "tax_type": line.tax_type or "",
    } for line in purchase_order.lines] or [_new_line_data()]
    return data


def _new_line_data() -> dict:
    return {"quantity": Decimal("1")}


def _render_form(form: PurchaseOrderForm, purchase_order: PurchaseOrder | None):
    return _form_page(form, purchase_order), 422 if form.errors else 200


def _form_page(form: PurchaseOrderForm, purchase_order: PurchaseOrder | None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, purchase_order)
    return render_template("purchase_orders/form.html", form=form, purchase_order=purchase_order,
                           totals=form_totals(form), conflict=conflict)
