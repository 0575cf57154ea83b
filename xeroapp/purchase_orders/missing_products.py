"""The missing-products dialog: a purchase order's push stopped because some of its products
are not Items in Xero (PushJob status "blocked", sync.items.ProductsMissing).

``GET  /purchase-orders/<id>/xero/missing-products``: the dialog (a fragment for the modal
container with htmx, a page without), listing each missing product as it will be created:
code, name, purchase price and account. A SKU longer than Xero's 30-character Item Code, or
a name longer than its 50, comes with a warning and an editable field.

``POST`` the same URL: checks the codes (length, unique among the rows, not another product's
code here) and hands the rows to a job (sync/missing_products.py): the answer is the
dialog's progress, which polls ``GET .../missing-products/progress`` until the job ends.
The job creates the rows in ONE ``PUT /Items?summarizeErrors=false``, remembers each code on
the product (``xero_code``), links it, and once none is missing records the order's push:
the progress answer then closes the dialog and refreshes the panel (``HX-Trigger``). Rows
Xero refused come back on their rows, with Xero's words, for another try.

Which products, and their codes, come from the blocked push (``PushJob.choices``): opening
the dialog asks Xero nothing. The panel opens the dialog by itself once per blocked push
(``SHOWN_KEY`` in the session), then offers a button to reopen it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import Response, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrder, PushJob, XeroConnection, XeroLink
from xeroapp.purchase_orders import bp
from xeroapp.rendering import wants_fragment
from xeroapp.sync import items, outbox
from xeroapp.sync import missing_products as creations
from xeroapp.xero import mapping

SHOWN_KEY = "missing_products_shown"  # blocked push ids whose dialog has opened already
SHOWN_KEEP = 20
REFRESH_EVENTS = json.dumps({"closeModal": True, "xeroPanelRefresh": True})
DIALOG = "purchase_orders/partials/_missing_products_dialog.html"


@dataclass
class Row:
    """One missing product, as it will be created in Xero (what the dialog shows and edits)."""

    product: Product
    code: str
    name: str
    purchase_price: Decimal | None
    account: str | None
    errors: list[str] = field(default_factory=list)

    @property
    def sku_too_long(self) -> bool:
        return len(mapping.item_code(self.product)) > mapping.ITEM_CODE_MAX

    @property
    def name_too_long(self) -> bool:
        return len(self.product.name) > mapping.ITEM_NAME_MAX

    @property
    def code_editable(self) -> bool:
        return self.sku_too_long or bool(self.errors)

    @property
    def name_editable(self) -> bool:
        return self.name_too_long or any("name" in e.lower() for e in self.errors)

    def new_item(self) -> items.NewItem:
        return items.NewItem(self.product, self.code, self.name, self.purchase_price, self.account)


def blocked_push(order: PurchaseOrder) -> PushJob | None:
    """The order's latest push, when it stopped for missing products."""
    latest = db.session.scalar(sa.select(PushJob).where(
        PushJob.workspace_id == order.workspace_id, PushJob.record_kind == order.record_kind,
        PushJob.record_id == order.id).order_by(PushJob.id.desc()).limit(1))
    return latest if latest is not None and latest.status == "blocked" else None


def missing_rows(order: PurchaseOrder, job: PushJob, connection: XeroConnection) -> list[Row]:
    """The blocked push's products still on the order and still not linked in Xero."""
    on_order = {line.product_id: line for line in order.lines if line.product is not None}
    wanted = [c.get("product_id") for c in job.choices or [] if c.get("product_id") in on_order]
    linked = set(db.session.scalars(sa.select(XeroLink.record_id).where(
        XeroLink.workspace_id == order.workspace_id, XeroLink.record_kind == "product",
        XeroLink.tenant_id == connection.tenant_id, XeroLink.record_id.in_(wanted or [0]))))
    rows = []
    for product_id in dict.fromkeys(wanted):
        if product_id in linked:
            continue
        line = on_order[product_id]
        product = line.product
        price = product.cost_price if product.cost_price is not None else line.unit_cost
        account = (product.purchase_account_code or line.account_code
                   or connection.purchase_account_code)
        rows.append(Row(product, mapping.item_code(product)[:mapping.ITEM_CODE_MAX],
                        product.name[:mapping.ITEM_NAME_MAX], price, account))
    return rows


def _render(order: PurchaseOrder, rows: list[Row], *, connection: XeroConnection | None,
            error: str | None = None, notice: str | None = None, status: int = 200,
            creation: PushJob | None = None, partial: str = DIALOG) -> Response:
    """The dialog's content (or its progress) for the modal with htmx, a page without."""
    context = dict(purchase_order=order, rows=rows, connection=connection, error=error,
                   notice=notice, creation=creation, partial=partial)
    template = partial if wants_fragment() else "purchase_orders/missing_products.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember_shown(job: PushJob) -> None:
    shown = [i for i in session.get(SHOWN_KEY, []) if i != job.id]
    session[SHOWN_KEY] = (shown + [job.id])[-SHOWN_KEEP:]


@bp.get("/<id:purchase_order_id>/xero/missing-products")
def missing_products(purchase_order_id: int):
    order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    creation = creations.latest(order)
    if creation is not None and creation.is_pending:
        return _render_progress(order, creation)
    return _dialog(order, creation)


@bp.post("/<id:purchase_order_id>/xero/missing-products")
def create_missing_products(purchase_order_id: int):
    order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    creation = creations.latest(order)
    if creation is not None and creation.is_pending:  # a double click: the one under way
        return _after_post(order, creation)
    connection = XeroConnection.usable_for(order.workspace_id)
    job = blocked_push(order)
    if connection is None or job is None:
        return _render(order, [], connection=connection, notice=_nothing_to_do(connection))
    rows = missing_rows(order, job, connection)
    _read_edits(rows)
    if _validate(rows, order.workspace_id):
        return _render(order, rows, connection=connection, status=422,
                       error="Nothing was created: correct the highlighted rows.")
    if not rows:  # all linked since (added in Xero by hand, say): the order goes on
        return _continue_push(order, connection)
    creation = creations.request(order, current_user, [r.new_item() for r in rows], connection)
    return _after_post(order, creation)


@bp.get("/<id:purchase_order_id>/xero/missing-products/progress")
def missing_products_progress(purchase_order_id: int):
    """Polled by the dialog while its job runs: the progress again, the dialog closing
    itself once the job is done, or the dialog with what Xero refused."""
    order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    creation = creations.latest(order)
    if creation is not None and creation.is_pending:
        return _render_progress(order, creation)
    if creation is not None and creation.status == "done":
        return _close(order)
    return _dialog(order, creation)


def _dialog(order: PurchaseOrder, creation: PushJob | None) -> Response:
    """The rows still missing for the blocked push, with what the last creation (if it
    ended after that push) says about them."""
    connection = XeroConnection.usable_for(order.workspace_id)
    job = blocked_push(order)
    if connection is None or job is None:
        return _render(order, [], connection=connection, notice=_nothing_to_do(connection))
    _remember_shown(job)
    rows = missing_rows(order, job, connection)
    if creation is None or creation.id < job.id or creation.status != "failed":
        return _render(order, rows, connection=connection)
    _show_refusals(rows, creation)
    return _render(order, rows, connection=connection, error=creation.error_message)


def _show_refusals(rows: list[Row], creation: PushJob) -> None:
    """Each row Xero refused shows the code and name it was sent with, and Xero's words."""
    refused = {c.get("product_id"): c for c in creation.choices or []
               if creation.error_kind == creations.ITEMS_REFUSED}
    for row in rows:
        sent = refused.get(row.product.id)
        if sent is not None:
            row.code, row.name, row.errors = sent["code"], sent["name"], list(sent["errors"])


def _after_post(order: PurchaseOrder, creation: PushJob) -> Response:
    if wants_fragment():
        return _render_progress(order, creation)
    return redirect(url_for("purchase_orders.missing_products_progress",
                            purchase_order_id=order.id), code=303)


def _render_progress(order: PurchaseOrder, creation: PushJob) -> Response:
    return _render(order, [], connection=None, creation=creation,
                   partial="purchase_orders/partials/_missing_products_progress.html")


def _continue_push(order: PurchaseOrder, connection: XeroConnection) -> Response:
    """Every product is in Xero: push the order again, close the dialog, refresh the panel."""
    try:
        outbox.request_push(order, current_user)
    except outbox.CannotPush as exc:
        return _render(order, [], connection=connection, error=str(exc))
    return _close(order)


def _close(order: PurchaseOrder) -> Response:
    """Close the dialog and refresh the panel (htmx), or go back to the order's Xero tab."""
    if not wants_fragment():
        return redirect(url_for("purchase_orders.detail", purchase_order_id=order.id, tab="xero"))
    response = make_response("", 200)
    response.headers["HX-Trigger"] = REFRESH_EVENTS
    return response


def _read_edits(rows: list[Row]) -> None:
    """Take the posted code/name of each row (only offered where they need a decision)."""
    for row in rows:
        code = request.form.get(f"code-{row.product.id}")
        name = request.form.get(f"name-{row.product.id}")
        if code is not None:
            row.code = code.strip()
        if name is not None:
            row.name = name.strip()


def _validate(rows: list[Row], workspace_id: int) -> bool:
    """Put each row's problems on it; True when there are any. Xero itself has the last
    word on codes it already holds (its per-row answer is shown the same way)."""
    taken_here = _codes_of_other_products(workspace_id, {row.product.id for row in rows})
    seen: dict[str, Row] = {}
    for row in rows:
        row.errors = []
        if not row.code:
            row.errors.append("Enter a code for Xero.")
        elif len(row.code) > mapping.ITEM_CODE_MAX:
            row.errors.append(f"Use at most {mapping.ITEM_CODE_MAX} characters "
                              f"(this code has {len(row.code)}).")
        elif row.code.casefold() in seen:
            row.errors.append(f"Two products cannot share the code {row.code}.")
        elif row.code.casefold() in taken_here:
            row.errors.append(f"The code {row.code} belongs to another product here "
                              f"({taken_here[row.code.casefold()]}).")
        if row.code:
            seen.setdefault(row.code.casefold(), row)
        if not row.name:
            row.errors.append("Enter a name for Xero.")
        elif len(row.name) > mapping.ITEM_NAME_MAX:
            row.errors.append(f"Xero allows names of at most {mapping.ITEM_NAME_MAX} characters "
                              f"(this one has {len(row.name)}).")
    return any(row.errors for row in rows)


def _codes_of_other_products(workspace_id: int, exclude: set[int]) -> dict[str, str]:
    """Casefolded Xero code -> SKU, of this workspace's other products."""
    others = db.session.scalars(sa.select(Product).where(Product.workspace_id == workspace_id,
                                                         Product.id.not_in(exclude)))
    return {mapping.item_code(p).casefold(): p.sku for p in others}


def _nothing_to_do(connection: XeroConnection | None) -> str:
    if connection is None:
        return "Xero is not connected, so nothing can be created there. Connect it in Settings > Integrations."
    return "No products are missing in Xero for this purchase order any more."
