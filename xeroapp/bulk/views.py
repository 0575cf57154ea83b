"""Routes of the bulk-push partial, per list (clients, suppliers, invoices, products):
``/xero/bulk/<list>`` (GET: the partial; ``?run=<id>`` names a run of this workspace) and
``/xero/bulk/<list>/send`` or ``/update`` (POST: start a run, or get the running one back).
Every answer to htmx is the partial itself; without htmx a POST redirects to the list.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.bulk import bp
from xeroapp.bulk.state import DETAIL_ENDPOINTS, LISTS, bulk_state, record_label
from xeroapp.extensions import htmx
from xeroapp.ids import arg_id
from xeroapp.models import BulkPush
from xeroapp.models.bulk import BULK_MODES
from xeroapp.sync import bulk


def _partial(state, status: int = 200):
    body = render_template("partials/_bulk_push.html", bulk=state)
    return body, status, {"Vary": "HX-Request", "Cache-Control": "no-store"}


def _kind() -> str:
    return LISTS[request.endpoint.rsplit(".", 1)[1].split("_", 1)[1]]


def _run_asked(kind: str) -> BulkPush | None:
    run_id = arg_id("run")
    if run_id is None:
        return None
    run = get_owned_or_404(BulkPush, run_id)
    if run.record_kind != kind:
        abort(404)
    return run


def show():
    kind = _kind()
    return _partial(bulk_state(kind, current_user.workspace_id, run=_run_asked(kind)))


def start(mode: str):
    kind = _kind()
    try:
        run = bulk.start(current_user.workspace_id, kind, mode, current_user)
        state = bulk_state(kind, current_user.workspace_id, run=run)
    except bulk.CannotStart as exc:
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


for _plural in LISTS:
    bp.add_url_rule(f"/{_plural}", f"show_{_plural}", show, methods=["GET"])
    for _mode in BULK_MODES:
        bp.add_url_rule(f"/{_plural}/{_mode}", f"{_mode}_{_plural}", start,
                        methods=["POST"], defaults={"mode": _mode})
