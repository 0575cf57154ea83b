"""Settings > Integrations > Activity: every push of the workspace, what became of it, and
"Retry" for the failed ones; among them, newest first, the changes Xero made to linked records
("Invoice INV-0001 — Paid in Xero"), which are never retried (activity_feed.py reads the page).

URLs: ``/settings/integrations/activity`` (GET; ``status`` (a push status, or ``xero`` /
``xero-<change>`` for Xero's changes), ``kind`` and ``page`` arguments;
htmx gets the table only), ``.../activity/<push_id>/retry`` and ``.../activity/retry-failed``
(POST, CSRF). A retry does exactly what the panel's Send/Update button does
(outbox.request_push): a new push of the record's current version, or the one already pending.
Only the latest push of a record is offered for retry: an older failure was already followed
by another attempt, and "Retry all failed" must not send a record twice.

"Attempts" are the tries that went to Xero with the record; the times a rate limit made the
push wait are shown apart beside them (PushJob.rate_limit_waits), since waiting is not trying.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, request, url_for
from flask_login import current_user

from xeroapp.access import get_owned_or_404
from xeroapp.extensions import db
from xeroapp.ids import page_arg
from xeroapp.integrations import bp
from xeroapp.integrations.activity_feed import (ANY_XERO_CHANGE, change_filter_value,
                                                is_change_filter, read_page)
from xeroapp.listing import workspace_select
from xeroapp.models import Client, Invoice, Product, PurchaseOrder, Supplier
from xeroapp.models.xero import PushJob
from xeroapp.models.xero_side import XERO_CHANGES, XeroChange
from xeroapp.panel.xero_history import change_words
from xeroapp.rendering import render_page_or_partial
from xeroapp.sync import outbox

PER_PAGE = 25

KIND_LABELS = {"client": "Client", "supplier": "Supplier", "product": "Product",
               "invoice": "Invoice", "purchase_order": "Purchase order",
               "missing_products": "Products for purchase order"}
# status -> (badge text, badge css suffix), in the order the filter lists them
STATUS_BADGES = {
    "failed": ("Failed", "failed"),
    "done": ("Done", "in-xero"),
    "queued": ("Queued", "queued"),
    "running": ("Sending", "sending"),
    "waiting": ("Waiting", "waiting"),
    "ambiguous": ("Needs a choice", "waiting"),
    "blocked": ("Products missing", "waiting"),
}
# The status filter's choices for Xero's changes: value -> label.
CHANGE_FILTERS = {ANY_XERO_CHANGE: "Any change in Xero",
                  **{change_filter_value(change): change_words(change)[0]
                     for change in XERO_CHANGES}}
# kind -> (model, detail endpoint, its id argument)
RECORDS: dict[str, tuple[type, str, str]] = {
    "client": (Client, "clients.detail", "client_id"),
    "supplier": (Supplier, "suppliers.detail", "supplier_id"),
    "product": (Product, "products.detail", "product_id"),
    "invoice": (Invoice, "invoices.detail", "invoice_id"),
    "purchase_order": (PurchaseOrder, "purchase_orders.detail", "purchase_order_id"),
    # the missing-products dialog's creation: its record is the order they are for
    "missing_products": (PurchaseOrder, "purchase_orders.detail", "purchase_order_id"),
}
# Kinds the panel's Send button pushes (products reach Xero through a purchase order's
# missing-products dialog, which is where a refused creation is tried again).
RETRYABLE_KINDS = ("client", "supplier", "invoice", "purchase_order")


@dataclass
class ActivityRow:
    job: PushJob | None  # None: a change Xero made (``change``)
    record_label: str | None  # None: the record was deleted since
    record_url: str | None
    retryable: bool
    change: XeroChange | None = None

    @property
    def kind_label(self) -> str:
        kind = (self.job or self.change).record_kind
        return KIND_LABELS.get(kind, kind)

    @property
    def badge(self) -> tuple[str, str]:
        if self.change is not None:
            return change_words(self.change.change)
        if self.job.error_kind == "locked":
            return ("Locked in Xero", "in-xero")
        return STATUS_BADGES.get(self.job.status, (self.job.status, "muted"))


def _filters() -> dict[str, str]:
    status, kind = request.args.get("status", ""), request.args.get("kind", "")
    known = status in STATUS_BADGES or is_change_filter(status)
    return {"status": status if known else "",
            "kind": kind if kind in KIND_LABELS else ""}


def _is_latest():
    """SQL condition: no later push exists for the same record."""
    later = so.aliased(PushJob)
    return ~sa.exists().where(later.workspace_id == PushJob.workspace_id,
                              later.record_kind == PushJob.record_kind,
                              later.record_id == PushJob.record_id, later.id > PushJob.id)


def _retryable():
    """SQL condition: a failed push worth trying again (not one Xero locked for good)."""
    return sa.and_(PushJob.status == "failed", PushJob.error_kind.is_distinct_from("locked"),
                   PushJob.record_kind.in_(RETRYABLE_KINDS), _is_latest())


def _record_labels(jobs: list[PushJob | XeroChange]) -> dict[tuple[str, int], Any]:
    """(kind, id) -> record, for the page's rows (pushes and changes), one query per kind."""
    ids: dict[str, set[int]] = {}
    for job in jobs:
        ids.setdefault(job.record_kind, set()).add(job.record_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, record_ids in ids.items():
        if kind not in RECORDS:
            continue
        model = RECORDS[kind][0]
        for record in db.session.scalars(workspace_select(model).where(model.id.in_(record_ids))):
            found[(kind, record.id)] = record
    return found


def _label(record: Any) -> str:
    return record.label if hasattr(record, "number") else record.name


def _rows(items: list[PushJob | XeroChange]) -> list[ActivityRow]:
    records = _record_labels(items)
    jobs = [item for item in items if isinstance(item, PushJob)]
    retryable = set(db.session.scalars(sa.select(PushJob.id).where(
        PushJob.id.in_([j.id for j in jobs]), _retryable()))) if jobs else set()
    rows = []
    for item in items:
        record = records.get((item.record_kind, item.record_id))
        url = None
        if record is not None:
            _, endpoint, argument = RECORDS[item.record_kind]
            url = url_for(endpoint, **{argument: record.id})
        label = _label(record) if record is not None else None
        if isinstance(item, XeroChange):
            rows.append(ActivityRow(None, label, url, False, change=item))
        else:
            rows.append(ActivityRow(item, label, url, record is not None and item.id in retryable))
    return rows


@bp.get("/activity")
def activity():
    filters = _filters()
    page = read_page(current_user.workspace_id, filters["status"], filters["kind"],
                     page_arg(), PER_PAGE)
    failed = db.session.scalar(sa.select(sa.func.count()).select_from(PushJob).where(
        PushJob.workspace_id == current_user.workspace_id, _retryable())) or 0
    return render_page_or_partial(
        "integrations/activity.html", "integrations/partials/_activity_table.html", active_area="settings",
        page=page, rows=_rows(list(page.items)), filters=filters, filtered=any(filters.values()),
        retryable_count=failed, kind_labels=KIND_LABELS, status_badges=STATUS_BADGES,
        change_filters=CHANGE_FILTERS)


def _back_to_activity():
    """Back to the list as it was filtered (only the list's own arguments are kept)."""
    args = {key: request.args[key] for key in ("status", "kind", "page") if request.args.get(key)}
    return redirect(url_for("integrations.activity", **args), code=303)


@bp.post("/activity/<id:push_id>/retry")
def retry_push(push_id: int):
    job = get_owned_or_404(PushJob, push_id)
    is_retryable = db.session.scalar(sa.select(sa.func.count()).select_from(PushJob).where(
        PushJob.id == job.id, _retryable()))
    record = _record_labels([job]).get((job.record_kind, job.record_id))
    if not is_retryable or record is None:
        flash("That push cannot be retried: it did not fail, was tried again since, or its "
              "record no longer exists.", "info")
        return _back_to_activity()
    try:
        outbox.request_push(record, current_user)
    except outbox.CannotPush as exc:
        flash(str(exc), "error")
    else:
        flash(f"{KIND_LABELS[job.record_kind]} {_label(record)} is queued to be sent again.",
              "success")
    return _back_to_activity()


@bp.post("/activity/retry-failed")
def retry_failed():
    jobs = list(db.session.scalars(workspace_select(PushJob).where(_retryable())
                                   .order_by(PushJob.id)))
    records = _record_labels(jobs)
    queued = 0
    for job in jobs:
        record = records.get((job.record_kind, job.record_id))
        if record is None:
            continue
        try:
            outbox.request_push(record, current_user)
        except outbox.CannotPush as exc:
            flash(str(exc), "error")
            return _back_to_activity()
        queued += 1
    flash(f"{queued} failed push{'es' if queued != 1 else ''} queued to be sent again.",
          "success" if queued else "info")
    return _back_to_activity()
