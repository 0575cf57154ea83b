"""Purchase orders: list with filters, create and edit with live totals, detail with tabs.

The form's line rows are edited with htmx: ``lines`` re-renders the rows after Add line /
Add shipping / Remove / choosing a product, and ``totals`` recomputes the amounts as numbers
are typed. Both only render: nothing is saved until the form itself is submitted.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.documents.editing import workspace_product
from xeroapp.documents.lines import edit_rows
from xeroapp.documents.saving import save_or_render
from xeroapp.ids import arg_id, form_id
from xeroapp.listing import paginate, workspace_select
from xeroapp.models import PurchaseOrder
from xeroapp.models.documents import PO_STATUSES
from xeroapp.panel import xero_state
from xeroapp.products.catalogue import ensure_shipping_product
from xeroapp.purchase_orders import bp, editing, tax
from xeroapp.purchase_orders.forms import PurchaseOrderForm
from xeroapp.rendering import render_page_or_partial
from xeroapp.sync.outbox import NOT_CONNECTED, StagedPush

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
    page = paginate(query)
    links = xero_state.links_of(current_user.workspace_id, "purchase_order",
                                [order.id for order in page.items])
    return render_page_or_partial(
        "purchase_orders/index.html", "purchase_orders/partials/_table.html",
        xero_status_of=lambda order: xero_state.purchase_order_status(links.get(order.id)),
        page=page, suppliers=editing.supplier_choices(), status_filter=status,
        supplier_id=supplier_id, q=q, filtered=bool(status or supplier_id or q))


@bp.get("/<id:purchase_order_id>")
def detail(purchase_order_id: int):
    purchase_order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    workspace = current_user.workspace
    tab = request.args.get("tab", "details")
    return render_page_or_partial(
        "purchase_orders/detail.html", "purchase_orders/partials/_details.html",
        purchase_order=purchase_order, totals=editing.order_totals(purchase_order, workspace),
        tab=tab if tab in DETAIL_TABS else "details",
        tax_rate_name=lambda code: tax.rate_name(workspace, code),
        xero_status=xero_state.purchase_order_status(xero_state.link_of(purchase_order)))


# ---- create and edit ------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def create():
    workspace = current_user.workspace
    prefill = None if request.method == "POST" else editing.new_order_data(
        workspace, arg_id("supplier_id"))
    form = editing.configure(PurchaseOrderForm(data=prefill), workspace)
    return _save_or_render(form, PurchaseOrder(workspace_id=workspace.id,
                                               currency=workspace.default_currency))


@bp.route("/<id:purchase_order_id>/edit", methods=["GET", "POST"])
def edit(purchase_order_id: int):
    purchase_order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    prefill = None if request.method == "POST" else editing.order_data(
        purchase_order, current_user.workspace)
    form = editing.configure(PurchaseOrderForm(data=prefill), current_user.workspace,
                             purchase_order)
    return _save_or_render(form, purchase_order)


# ---- htmx: line rows and live totals -----------------------------------------------------------

@bp.post("/form/lines")
def lines():
    """The line rows re-rendered after one change (documents.lines), and "shipping": add a
    Shipping and Handling line. Everything typed is kept."""
    workspace = current_user.workspace
    op = request.form.get("op", "")
    shipping = ensure_shipping_product(workspace.id) if op == "shipping" else None
    form = _posted_form()
    edit_rows(form, op, lambda line: editing.fill_from_product(
        line, workspace_product(workspace.id, line.product_id.data)),
        more={"shipping": lambda: editing.add_shipping(form, shipping)})
    return render_template("purchase_orders/partials/_lines.html", form=form,
                           totals=editing.form_totals(form, workspace))


@bp.post("/form/totals")
def totals():
    """The totals and each row's amount, for what is typed right now (nothing is saved)."""
    form = _posted_form()
    return render_template("purchase_orders/partials/_totals_update.html", form=form,
                           totals=editing.form_totals(form, current_user.workspace))


def _posted_form() -> PurchaseOrderForm:
    """The form as posted by the line and totals requests (an edit names its order, whose
    currency and saved tax codes then apply); read leniently, never validated here."""
    purchase_order_id = form_id("purchase_order_id")
    purchase_order = (get_owned_or_404(PurchaseOrder, purchase_order_id)
                      if purchase_order_id else None)
    return editing.configure(PurchaseOrderForm(), current_user.workspace, purchase_order)


# ---- helpers -------------------------------------------------------------------------------

def _save_or_render(form: PurchaseOrderForm, purchase_order: PurchaseOrder):
    return save_or_render(
        form, purchase_order, save=lambda: editing.save(form, purchase_order, current_user),
        saved=lambda staged, created: _saved(purchase_order, staged, created),
        page=lambda conflict: _form_page(form, purchase_order if purchase_order.id else None,
                                         conflict))


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


def _form_page(form: PurchaseOrderForm, purchase_order: PurchaseOrder | None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, purchase_order)
    return render_template("purchase_orders/form.html", form=form, purchase_order=purchase_order,
                           totals=editing.form_totals(form, current_user.workspace),
                           conflict=conflict)
