"""Deleting a record that others may depend on: one rule for the list areas.

A record still in use (a supplier on a purchase order, a product on a line, a client with
invoices) or on its way to Xero stays, and the user is told why on its page; otherwise it
goes, with our links to its Xero copies (the objects stay in Xero: we never delete there),
and the user lands on the list it was in.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect
from werkzeug.wrappers import Response

from xeroapp.extensions import db
from xeroapp.models import PushJob, XeroLink
from xeroapp.models.xero import PENDING_PUSH_STATUSES


def push_in_progress(record: Any) -> bool:
    """A push of ``record`` is queued, running or waiting: deleting now would orphan it."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(PushJob).where(
        PushJob.workspace_id == record.workspace_id, PushJob.record_kind == record.record_kind,
        PushJob.record_id == record.id, PushJob.status.in_(PENDING_PUSH_STATUSES))))


def delete_unless_blocked(record: Any, blocker: str | None, *, kept_url: str, deleted: str,
                          gone_url: str, label: str) -> Response:
    """Flash ``blocker`` (or a push in progress) and go back to ``kept_url``; otherwise delete
    ``record`` and its Xero links, flash ``deleted`` and go to ``gone_url``. ``label`` names
    the record in the push-in-progress message."""
    if not blocker and push_in_progress(record):
        blocker = f"{label} is being sent to Xero right now; try again when that has finished."
    if blocker:
        flash(blocker, "error")
        return redirect(kept_url)
    db.session.execute(sa.delete(XeroLink).where(
        XeroLink.workspace_id == record.workspace_id,
        XeroLink.record_kind == record.record_kind, XeroLink.record_id == record.id))
    db.session.delete(record)
    db.session.commit()
    flash(deleted, "success")
    return redirect(gone_url)
