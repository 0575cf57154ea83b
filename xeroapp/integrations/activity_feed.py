"""One page of the Activity list: our pushes and the changes Xero made to linked records
(XeroChange), merged newest first.

How a page is read: one UNION ALL of two narrow SELECTs, (source, id, time) of the
workspace's pushes and of its Xero changes, each with the page's filters, ordered by time and
cut to the page with LIMIT/OFFSET in the database; then the page's rows themselves, by id, with
one query per source. A COUNT over the same union gives the number of pages. Nothing is read
beyond the page, whatever the page number.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob
from xeroapp.models.xero_side import XERO_CHANGES, XeroChange

PUSH, CHANGE = "push", "change"
# Activity's status filter for changes: "xero" (any change Xero made) or "xero-<change>".
ANY_XERO_CHANGE = "xero"


def change_filter_value(change: str) -> str:
    return f"{ANY_XERO_CHANGE}-{change}"


def is_change_filter(status: str) -> bool:
    return status == ANY_XERO_CHANGE or status in {change_filter_value(c) for c in XERO_CHANGES}


@dataclass
class FeedPage:
    """What templates/partials/_forms.html's pager reads, plus the page's items in order."""

    page: int
    per_page: int
    total: int
    items: list[PushJob | XeroChange]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _pushes(workspace_id: int, status: str, kind: str) -> sa.Select:
    query = sa.select(sa.literal(PUSH).label("source"), PushJob.id.label("id"),
                      PushJob.created_at.label("at")).where(PushJob.workspace_id == workspace_id)
    if status:
        query = query.where(PushJob.status == status)
    if kind:
        query = query.where(PushJob.record_kind == kind)
    return query


def _changes(workspace_id: int, status: str, kind: str) -> sa.Select:
    query = sa.select(sa.literal(CHANGE).label("source"), XeroChange.id.label("id"),
                      XeroChange.recorded_at.label("at")).where(
        XeroChange.workspace_id == workspace_id)
    if status and status != ANY_XERO_CHANGE:
        query = query.where(XeroChange.change == status.removeprefix(f"{ANY_XERO_CHANGE}-"))
    if kind:
        query = query.where(XeroChange.record_kind == kind)
    return query


def _feed(workspace_id: int, status: str, kind: str) -> sa.Subquery:
    """The union of both sources under the filters: a push status keeps pushes only, a
    change filter keeps changes only."""
    parts: list[sa.Select] = []
    if not is_change_filter(status):
        parts.append(_pushes(workspace_id, status, kind))
    if not status or is_change_filter(status):
        parts.append(_changes(workspace_id, status, kind))
    return (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("feed")


def read_page(workspace_id: int, status: str, kind: str, page: int, per_page: int) -> FeedPage:
    feed = _feed(workspace_id, status, kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(feed)) or 0
    wanted = db.session.execute(
        sa.select(feed.c.source, feed.c.id).order_by(feed.c.at.desc(), feed.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return FeedPage(page, per_page, total, _load(wanted))


def _load(wanted: Sequence[Any]) -> list[PushJob | XeroChange]:
    """The rows named by (source, id), in that order: one query per source."""
    push_ids = [row.id for row in wanted if row.source == PUSH]
    change_ids = [row.id for row in wanted if row.source == CHANGE]
    found: dict[tuple[str, int], Any] = {}
    if push_ids:
        found.update(((PUSH, job.id), job) for job in db.session.scalars(
            sa.select(PushJob).options(so.selectinload(PushJob.requested_by))
            .where(PushJob.id.in_(push_ids))))
    if change_ids:
        found.update(((CHANGE, change.id), change) for change in db.session.scalars(
            sa.select(XeroChange).where(XeroChange.id.in_(change_ids))))
    return [found[(row.source, row.id)] for row in wanted if (row.source, row.id) in found]
