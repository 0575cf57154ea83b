"""Routes of the bulk-push partial (under the blueprint's ``/xero/bulk`` prefix), per list
(clients, suppliers, invoices, products): ``/<list>`` (GET: the partial; ``?run=<id>`` names
a run of this workspace) and ``/<list>/send`` or ``/<list>/update`` (POST: start a run, or get
the running one back). Every answer to htmx is the partial itself; without htmx a POST
redirects to the list. Endpoints are ``bulk.show_<list>``, ``bulk.send_<list>`` and
``bulk.update_<list>``; a POST route's defaults carry the record kind and the mode (a GET
route takes no defaults: the access tests treat every GET argument as a record id).
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.bulk import bp
from xeroapp.bulk.state import DETAIL_ENDPOINTS, bulk_state, record_label
from xeroapp.extensions import htmx
from xeroapp.ids import arg_id
from xeroapp.models import BulkPush
from xeroapp.sync.bulk import runs


def _partial(state, status: int = 200):
    body = render_template("partials/_bulk_push.html", bulk=state)
    return body, status, {"Vary": "HX-Request", "Cache-Control": "no-store"}


def _run_asked(kind: str) -> BulkPush | None:
    run_id = arg_id("run")
    if run_id is None:
        return None
    run = get_owned_or_404(BulkPush, run_id)
    if run.record_kind != kind:
        abort(404)
    return run


@bp.get("/clients")
def show_clients():
    return _show("client")


@bp.get("/suppliers")
def show_suppliers():
    return _show("supplier")


@bp.get("/invoices")
def show_invoices():
    return _show("invoice")


@bp.get("/products")
def show_products():
    return _show("product")


def _show(kind: str):
    return _partial(bulk_state(kind, current_user.workspace_id, run=_run_asked(kind)))


@bp.post("/clients/send", endpoint="send_clients", defaults={"kind": "client", "mode": "send"})
@bp.post("/clients/update", endpoint="update_clients",
         defaults={"kind": "client", "mode": "update"})
@bp.post("/suppliers/send", endpoint="send_suppliers",
         defaults={"kind": "supplier", "mode": "send"})
@bp.post("/suppliers/update", endpoint="update_suppliers",
         defaults={"kind": "supplier", "mode": "update"})
@bp.post("/invoices/send", endpoint="send_invoices",
         defaults={"kind": "invoice", "mode": "send"})
@bp.post("/invoices/update", endpoint="update_invoices",
         defaults={"kind": "invoice", "mode": "update"})
@bp.post("/products/send", endpoint="send_products",
         defaults={"kind": "product", "mode": "send"})
@bp.post("/products/update", endpoint="update_products",
         defaults={"kind": "product", "mode": "update"})
def start(kind: str, mode: str):
    try:
        run = runs.start(current_user.workspace_id, kind, mode, current_user)
        state = bulk_state(kind, current_user.workspace_id, run=run)
    except runs.CannotStart as exc:
        state = bulk_state(kind, current_user.workspace_id, notice=str(exc))
    if not htmx:  # a plain form post (no JavaScript): back to the list, which shows the run
        if state.notice:
            flash(state.notice, "warning")
        return redirect(url_for(f"{state.plural}.index"))
    return _partial(state)


@bp.app_context_processor
def bulk_helpers() -> dict[str, Any]:
    """``bulk_panel(kind)`` for the list pages; ``bulk_record_url`` and ``bulk_record_label``
    for the failures it lists."""
    def bulk_panel(kind: str):
        return bulk_state(kind, current_user.workspace_id)

    def bulk_record_url(record) -> str:
        endpoint, arg = DETAIL_ENDPOINTS[record.record_kind]
        return url_for(endpoint, **{arg: record.id})

    return {"bulk_panel": bulk_panel, "bulk_record_url": bulk_record_url,
            "bulk_record_label": record_label}

