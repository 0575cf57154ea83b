""""Check Xero now": read Xero's side at once instead of waiting for a webhook or the next
poll. Routes under the ``/xero`` prefix (CSRF-protected, login required like every route):

- ``POST /xero/check``: a poll of the workspace's organisation.
- ``POST /xero/<kind>/<id>/check`` (client, invoice, supplier, purchase_order): a read of the
  record's one Xero object.

Both only queue a job (pages never call Xero). htmx gets the button partial back with a word
and ``HX-Trigger: xeroPanelRefresh``, so the Xero panel reloads itself; a plain form post is
redirected back with a flash.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.backsync import queueing
from xeroapp.extensions import db, htmx
from xeroapp.models import Client, Invoice, PurchaseOrder, Supplier
from xeroapp.models.xero import XeroConnection, XeroLink

bp = Blueprint("xero_check", __name__)

MODELS: dict[str, type] = {"client": Client, "invoice": Invoice, "supplier": Supplier,
                           "purchase_order": PurchaseOrder}
DETAIL_ENDPOINTS = {"client": "clients.detail", "invoice": "invoices.detail",
                    "supplier": "suppliers.detail", "purchase_order": "purchase_orders.detail"}
REFRESH_EVENT = "xeroPanelRefresh"
QUEUED = "Checking Xero now; changes show here in a moment."
NOT_CONNECTED = "Xero is not connected, so there is nothing to check."
NEEDS_RECONNECT = "Xero needs reconnecting before it can be checked."
NOT_LINKED = "Not in Xero yet, so there is nothing to check."


@bp.post("/check")
def organisation():
    connection = XeroConnection.usable_for(current_user.workspace_id)
    notice = _refusal(connection)
    if notice is None:
        queueing.enqueue_once(queueing.POLL, current_user.workspace_id,
                              job_id=queueing.poll_id(current_user.workspace_id))
    return _answer(notice or QUEUED, url_for("xero_check.organisation"),
                   url_for("integrations.index"), queued=notice is None)


@bp.post("/client/<id:client_id>/check")
@bp.post("/invoice/<id:invoice_id>/check")
@bp.post("/supplier/<id:supplier_id>/check")
@bp.post("/purchase_order/<id:purchase_order_id>/check")
def record(**ids: int):
    ((arg, record_id),) = ids.items()
    kind = arg.removesuffix("_id")
    if kind not in MODELS:
        abort(404)
    found = get_owned_or_404(MODELS[kind], record_id)
    connection = XeroConnection.usable_for(found.workspace_id)
    notice = _refusal(connection)
    if notice is None and not _linked(found, connection):
        notice = NOT_LINKED
    if notice is None:
        queueing.enqueue_once(queueing.READ_ONE, found.workspace_id, kind, found.id,
                              job_id=queueing.read_one_id(kind, found.id))
    return _answer(notice or QUEUED, check_url(kind, found.id),
                   url_for(DETAIL_ENDPOINTS[kind], **{arg: found.id}, tab="xero"),
                   queued=notice is None)


def check_url(kind: str | None = None, record_id: int | None = None) -> str:
    """Where a Check Xero now button posts: the organisation's, or one record's."""
    if kind is None:
        return url_for("xero_check.organisation")
    return url_for("xero_check.record", **{f"{kind}_id": record_id})


@bp.app_context_processor
def check_helpers() -> dict[str, Any]:
    """``xero_check_url(kind, id)`` (or no arguments: the organisation) for templates that
    include backsync/partials/_check_now.html."""
    return {"xero_check_url": check_url}


def _refusal(connection: XeroConnection | None) -> str | None:
    if connection is None:
        return NOT_CONNECTED
    if connection.needs_reconnect:
        return NEEDS_RECONNECT
    return None


def _linked(record: Any, connection: XeroConnection | None) -> bool:
    return connection is not None and db.session.scalar(db.select(XeroLink.id).filter_by(
        workspace_id=record.workspace_id, record_kind=record.record_kind, record_id=record.id,
        tenant_id=connection.tenant_id)) is not None


def _answer(notice: str, action: str, back: str, *, queued: bool):
    if htmx:
        body = render_template("backsync/partials/_check_now.html", check_action=action,
                               check_notice=notice)
        headers = {"Cache-Control": "no-store"}
        if queued:
            headers["HX-Trigger"] = REFRESH_EVENT
        return body, 200, headers
    flash(notice, "success" if queued else "error")
    return redirect(back)
