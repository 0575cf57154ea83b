"""The missing-products dialog: a purchase order's push stopped because some of its products
are not Items in Xero (PushJob status "blocked", sync.items.ProductsMissing).

``GET  /purchase-orders/<id>/xero/missing-products``: the dialog (a fragment for the modal
container with htmx, a page without), listing each missing product as it will be created:
code, name, purchase price and account. A SKU longer than Xero's 30-character Item Code, or
a name longer than its 50, comes with a warning and an editable field.

``POST`` the same URL: checks the codes (length, unique among the rows, not another product's
code here), creates the rows in ONE ``PUT /Items?summarizeErrors=false`` (Xero's answer for
each row is shown on that row), remembers each code on the product (``xero_code``), links it,
and once none is missing records the order's push again: the answer then closes the dialog
and refreshes the panel (``HX-Trigger``), no full reload.

Which products, and their codes, come from the blocked push (``PushJob.choices``): opening
the dialog asks Xero nothing. The panel opens the dialog by itself once per blocked push
(``SHOWN_KEY`` in the session), then offers a button to reopen it.
"""
from __future__ import annotations

import hashlib
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
from xeroapp.sync.context import MAX_KEY_LENGTH
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import (NotConnected, RateLimited, ReconnectRequired, TransportError,
                                 Unavailable, XeroError)

SHOWN_KEY = "missing_products_shown"  # blocked push ids whose dialog has opened already
SHOWN_KEEP = 20
REFRESH_EVENTS = json.dumps({"closeModal": True, "xeroPanelRefresh": True})


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
            error: str | None = None, notice: str | None = None, status: int = 200) -> Response:
    context = dict(purchase_order=order, rows=rows, connection=connection, error=error,
                   notice=notice)
    template = ("purchase_orders/partials/_missing_products_dialog.html" if wants_fragment()
                else "purchase_orders/missing_products.html")
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
    connection = XeroConnection.usable_for(order.workspace_id)
    job = blocked_push(order)
    if connection is None or job is None:
        return _render(order, [], connection=connection, notice=_nothing_to_do(connection))
    _remember_shown(job)
    return _render(order, missing_rows(order, job, connection), connection=connection)


@bp.post("/<id:purchase_order_id>/xero/missing-products")
def create_missing_products(purchase_order_id: int):
    order = get_owned_or_404(PurchaseOrder, purchase_order_id)
    connection = XeroConnection.usable_for(order.workspace_id)
    job = blocked_push(order)
    if connection is None or job is None:
        return _render(order, [], connection=connection, notice=_nothing_to_do(connection))
    rows = missing_rows(order, job, connection)
    _read_edits(rows)
    if _validate(rows, order.workspace_id):
        return _render(order, rows, connection=connection, status=422,
                       error="Nothing was created: correct the highlighted rows.")
    if rows:
        try:
            refused = items.create(XeroClient(connection.id, connection.tenant_id),
                                   connection.tenant_id, [r.new_item() for r in rows],
                                   idempotency_key=_items_key(order, job, rows))
        except XeroError as exc:
            db.session.rollback()
            return _render(order, rows, connection=connection, status=200,
                           error=_xero_trouble(exc))
        db.session.commit()
        if refused:
            for row in rows:
                row.errors = refused.get(row.product.id, [])
            left = [row for row in rows if row.errors]
            created = len(rows) - len(left)
            return _render(order, left, connection=connection,
                           error=(f"Xero created {created} of {len(rows)} products; it refused "
                                  "the rows below. Correct them and try again."))
    return _continue_push(order, connection)


def _continue_push(order: PurchaseOrder, connection: XeroConnection) -> Response:
    """Every product is in Xero: push the order again, close the dialog, refresh the panel."""
    try:
        outbox.request_push(order, current_user)
    except outbox.CannotPush as exc:
        return _render(order, [], connection=connection, error=str(exc))
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


def _items_key(order: PurchaseOrder, job: PushJob, rows: list[Row]) -> str:
    """The same request (a double click, a resend after a lost answer) carries the same key,
    so Xero replays its answer instead of creating twice; edited rows are a new request."""
    body = json.dumps([r.new_item().body() for r in rows], sort_keys=True, default=str)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"xa-purchase_order-{order.id}-items-p{job.id}-{digest}"[:MAX_KEY_LENGTH]


def _xero_trouble(exc: XeroError) -> str:
    if isinstance(exc, RateLimited):
        return (f"Xero's rate limit was reached, so nothing was created. Try again in "
                f"{max(int(exc.retry_after), 1)} seconds.")
    if isinstance(exc, (ReconnectRequired, NotConnected)):
        return f"{exc} Nothing was created."
    if isinstance(exc, (TransportError, Unavailable)):
        # Xero may have saved the items before its answer was lost. Create again is safe:
        # the same rows carry the same Idempotency-Key, and an item Xero already holds under
        # our code and name is linked, not created twice.
        return (f"Xero did not answer ({exc}). It may have created some of these products "
                "all the same. Pressing “Create in Xero and save” again is safe: products Xero already "
                "has are linked, not created twice.")
    return f"Xero did not create the products: {exc} Correct what it names and try again."


def _nothing_to_do(connection: XeroConnection | None) -> str:
    if connection is None:
        return "Xero is not connected, so nothing can be created there. Connect it in Settings > Integrations."
    return "No products are missing in Xero for this purchase order any more."
