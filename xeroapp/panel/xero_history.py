"""A record's history on its Xero tab: our pushes and the changes Xero made (XeroChange),
one list, newest first. Pushes carry who asked; a change's "who" is Xero.

The panel's state (state.py) reads only the pushes; the history partial asks this module
for the changes, so the panel's own behaviour is unaffected by them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob
from xeroapp.models.xero_side import XeroChange
from xeroapp.panel import bp
from xeroapp.panel.state import HISTORY_SIZE

# XeroChange.change -> (words, badge css suffix), for the history and the Activity page.
CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "submitted": ("Submitted for approval in Xero", "waiting"),
    "approved": ("Approved in Xero", "queued"),
    "part_paid": ("Part paid in Xero", "waiting"),
    "paid": ("Paid in Xero", "in-xero"),
    "payment_removed": ("Payment removed in Xero", "waiting"),
    "voided": ("Voided in Xero", "muted"),
    "deleted": ("Deleted in Xero", "failed"),
    "billed": ("Billed in Xero", "in-xero"),
    "archived": ("Archived in Xero", "muted"),
    "restored": ("Restored in Xero", "in-xero"),
    "merged": ("Merged in Xero", "muted"),
    "edited": ("Edited in Xero", "queued"),
}


def change_words(change: str) -> tuple[str, str]:
    return CHANGE_WORDS.get(change, (f"{change.replace('_', ' ').capitalize()} in Xero", "muted"))


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the history: a push (``job``) or a change Xero made (``change``)."""

    at: datetime
    job: PushJob | None = None
    change: XeroChange | None = None

    @property
    def badge(self) -> tuple[str, str]:
        return change_words(self.change.change) if self.change is not None else ("", "")


@dataclass(frozen=True)
class History:
    entries: list[HistoryEntry]
    more: bool  # the panel shows the newest few; "Show all history" loads the rest


def _changes(record: Any, limit: int | None) -> list[XeroChange]:
    query = (sa.select(XeroChange)
             .where(XeroChange.workspace_id == record.workspace_id,
                    XeroChange.record_kind == record.record_kind,
                    XeroChange.record_id == record.id)
             .order_by(XeroChange.recorded_at.desc(), XeroChange.id.desc()))
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def record_history(record: Any, jobs: list[PushJob], full: bool) -> History:
    """``jobs`` (newest first, as the panel read them) with the record's Xero changes. Not
    ``full``: the newest HISTORY_SIZE of both together."""
    changes = _changes(record, None if full else HISTORY_SIZE)
    entries = sorted([HistoryEntry(job.created_at, job=job) for job in jobs]
                     + [HistoryEntry(change.recorded_at, change=change) for change in changes],
                     key=lambda entry: entry.at, reverse=True)
    if full:
        return History(entries, False)
    more = (len(jobs) >= HISTORY_SIZE or len(changes) >= HISTORY_SIZE
            or len(entries) > HISTORY_SIZE)
    return History(entries[:HISTORY_SIZE], more)


@bp.app_template_global()
def xero_record_history(record: Any, jobs: list[PushJob], full: bool) -> History:
    """For templates/partials/_xero_history.html."""
    return record_history(record, jobs, full)
