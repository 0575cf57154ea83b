"""Routes of the integration panel (under the blueprint's ``/xero`` prefix). Every answer is
the panel partial itself (htmx swaps it in place), so a click shows "Queued" at once and the
panel then polls until the push ends.

Per kind (client, invoice, supplier, purchase_order): ``.../panel`` (GET), ``.../push`` (POST:
Send or Update, the same button), ``.../choose-contact`` (POST ``contact_id``: a Xero
ContactID or "new"), ``.../history`` (GET); for invoices and purchase orders voided or deleted in
Xero, ``.../send-again`` and ``.../unlink`` (POST: drop the link; send-again also records a
push that creates a new document). The id is named after the kind (``client_id``
...) like every record route, so the access tests cover these too.
"""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.extensions import db
from xeroapp.models import Client, Invoice, PurchaseOrder, Supplier
from xeroapp.panel import bp
from xeroapp.panel.state import full_history, panel_state
from xeroapp.sync import contacts, linking, outbox

# record kind -> model: the records whose page shows the panel.
PANEL_MODELS: dict[str, type] = {"client": Client, "invoice": Invoice, "supplier": Supplier,
                                 "purchase_order": PurchaseOrder}


def _record(ids: dict[str, int]) -> Any:
    """The record named by the route's single ``<kind>_id`` argument, in this workspace."""
    ((arg, record_id),) = ids.items()
    model = PANEL_MODELS.get(arg.removesuffix("_id"))
    if model is None:
        abort(404)
    return get_owned_or_404(model, record_id)


def panel_url(action: str, kind: str, record_id: int) -> str:
    """URL of a panel route (show, push, choose_contact, history, send_again, unlink)."""
    return url_for(f"panel.{action}", **{f"{kind}_id": record_id})


def _panel(record: Any, notice: str | None = None, status: int = 200):
    body = render_template("partials/_xero_panel.html", panel=panel_state(record), notice=notice)
    return body, status, {"Vary": "HX-Request", "Cache-Control": "no-store"}


@bp.app_context_processor
def panel_helpers() -> dict[str, Any]:
    """``xero_panel(record)`` for pages that include partials/_xero_panel.html."""
    return {"xero_panel": panel_state, "panel_url": panel_url}


@bp.get("/client/<id:client_id>/panel")
@bp.get("/invoice/<id:invoice_id>/panel")
@bp.get("/supplier/<id:supplier_id>/panel")
@bp.get("/purchase_order/<id:purchase_order_id>/panel")
def show(**ids: int):
    return _panel(_record(ids))


@bp.post("/client/<id:client_id>/push")
@bp.post("/invoice/<id:invoice_id>/push")
@bp.post("/supplier/<id:supplier_id>/push")
@bp.post("/purchase_order/<id:purchase_order_id>/push")
def push(**ids: int):
    record = _record(ids)
    try:
        outbox.request_push(record, current_user)
    except outbox.CannotPush as exc:
        return _panel(record, notice=str(exc))
    return _panel(record)


@bp.post("/client/<id:client_id>/choose-contact")
@bp.post("/invoice/<id:invoice_id>/choose-contact")
@bp.post("/supplier/<id:supplier_id>/choose-contact")
@bp.post("/purchase_order/<id:purchase_order_id>/choose-contact")
def choose_contact(**ids: int):
    """The answer to "several Xero contacts have this name": link to one, or create new."""
    record = _record(ids)
    state = panel_state(record)
    choice = request.form.get("contact_id", "")
    offered = {c.get("ContactID") for c in (state.latest.choices or [])} if state.latest else set()
    if state.state != "ambiguous" or (choice != contacts.NEW_CONTACT and choice not in offered):
        return _panel(record, notice="Choose one of the contacts listed, or create a new one.")
    try:
        outbox.request_push(record, current_user, contact_choice=choice)
    except outbox.CannotPush as exc:
        return _panel(record, notice=str(exc))
    return _panel(record)


@bp.get("/client/<id:client_id>/history")
@bp.get("/invoice/<id:invoice_id>/history")
@bp.get("/supplier/<id:supplier_id>/history")
@bp.get("/purchase_order/<id:purchase_order_id>/history")
def history(**ids: int):
    record = _record(ids)
    return render_template("partials/_xero_history.html", jobs=full_history(record),
                           panel=panel_state(record), full=True)


# -- a document voided or deleted in Xero ------------------------------------------------------
NOT_RENEWABLE = ("Only an invoice or purchase order voided or deleted in Xero can be sent "
                 "again as new or unlinked; this one is not (or a push of it is under way).")


def _renewable(record: Any):
    """The panel state when the record's Xero document is voided or deleted and no push of
    it is pending, else None."""
    state = panel_state(record)
    if state.link is None or state.pending or not state.hold.renewable:
        return None
    return state


@bp.post("/invoice/<id:invoice_id>/send-again")
@bp.post("/purchase_order/<id:purchase_order_id>/send-again")
def send_again(**ids: int):
    """Drop the link to the voided/deleted document and record a push, which creates a new
    one (Xero refuses a number its voided document still holds: the push then says so)."""
    record = _record(ids)
    state = _renewable(record)
    if state is None:
        return _panel(record, notice=NOT_RENEWABLE)
    linking.forget(record, state.connection.tenant_id)
    try:
        outbox.request_push(record, current_user)  # commits the forgotten link with the push
    except outbox.CannotPush as exc:
        db.session.rollback()
        return _panel(record, notice=str(exc))
    return _panel(record)


@bp.post("/invoice/<id:invoice_id>/unlink")
@bp.post("/purchase_order/<id:purchase_order_id>/unlink")
def unlink(**ids: int):
    """Drop the link to the voided/deleted document: the record is Not in Xero; nothing is
    sent and Xero is not changed."""
    record = _record(ids)
    state = _renewable(record)
    if state is None:
        return _panel(record, notice=NOT_RENEWABLE)
    linking.forget(record, state.connection.tenant_id)
    db.session.commit()
    return _panel(record, notice=f"Unlinked: this {state.noun} is no longer linked to the "
                                 f"{state.hold.lock.lower()} one in Xero, which stays there as "
                                 "it is. Send creates a new one when you want it in Xero.")
