"""XeroLink rows: which Xero object a record is in one organisation, and since when."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.backsync import xero_dates
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroLink


def find(record, tenant_id: str | None) -> XeroLink | None:
    """The record's link in ``tenant_id`` (None: never sent to that organisation)."""
    if tenant_id is None:
        return None
    return db.session.scalar(sa.select(XeroLink).filter_by(
        workspace_id=record.workspace_id, record_kind=record.record_kind, record_id=record.id,
        tenant_id=tenant_id))


def record_push(record, tenant_id: str, xero_id: str, version: int,
                fields: dict[str, str] | None = None, sent_status: str | None = None,
                answer: dict | None = None) -> XeroLink:
    """Create or move the link after a successful push (the caller commits, with the result).
    ``fields``: a contact's fields as pushed (mapping.contact_fields), for the next update;
    ``sent_status``: the Status a document's create sent (None on updates: kept);
    ``answer``: the object as Xero answered it (a document's Status and UpdatedDateUTC)."""
    return _pushed(find(record, tenant_id), record, tenant_id, xero_id, version, fields,
                   sent_status, answer)


def _pushed(link: XeroLink | None, record, tenant_id: str, xero_id: str, version: int,
            fields: dict[str, str] | None = None, sent_status: str | None = None,
            answer: dict | None = None) -> XeroLink:
    """``record_push`` with the record's current link (None: it has none) already known."""
    if link is None:
        link = _new_link(record, tenant_id)
        db.session.add(link)
    _fill(link, xero_id, version, fields, sent_status, answer)
    return link


def _new_link(record, tenant_id: str) -> XeroLink:
    return XeroLink(workspace_id=record.workspace_id, record_kind=record.record_kind,
                    record_id=record.id, tenant_id=tenant_id, linked_at=utcnow())


def _fill(link: XeroLink, xero_id: str, version: int, fields: dict[str, str] | None,
          sent_status: str | None, answer: dict | None) -> None:
    link.xero_id = xero_id
    link.pushed_version = version
    link.pushed_at = utcnow()
    if fields is not None:
        link.pushed_fields = fields
    if sent_status is not None:
        link.sent_status = sent_status
    if answer is not None:
        note_status(link, answer)


def note_status(link: XeroLink, answer: dict) -> None:
    """Xero's status of a document as its push answer gave it: what back-sync compares the
    next read with (xeroapp/backsync/apply.py), so "Approved in Xero" is told from our own
    draft. Never over a newer version read back meanwhile."""
    updated = xero_dates.moment(answer.get("UpdatedDateUTC"))
    status = answer.get("Status")
    if updated is None or not isinstance(status, str):
        return
    if link.xero_updated_at is None or updated > link.xero_updated_at:
        link.xero_status, link.xero_updated_at = status, updated


class LinkIndex:
    """The links of many records in one organisation, read with one query per kind of
    record instead of one per lookup (a bulk batch of 50 invoices looked links up ~250 times).

    New links are kept out of the session until ``save``, which inserts them in one
    statement: the ORM would insert a batch's 50 links one by one and track each, which was
    the biggest part of a bulk batch's CPU. Whoever commits a batch's work saves first."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._links: dict[tuple[str, int], XeroLink | None] = {}
        self._new: list[XeroLink] = []
        self._saved: dict[tuple[str, int], int] = {}  # saved, not read back yet: workspace

    def load(self, records) -> None:
        """Read the links of ``records`` not read yet (records of one workspace). Links saved
        since they were last read come back together with them, in the same query."""
        wanted: dict[tuple[int, str], set[int]] = {}
        for record in records:
            key = (record.record_kind, record.id)
            if key not in self._links or key in self._saved:
                wanted.setdefault((record.workspace_id, record.record_kind), set()).add(record.id)
        for (kind, record_id), workspace_id in self._saved.items():
            if (workspace_id, kind) in wanted:
                wanted[workspace_id, kind].add(record_id)
        for (workspace_id, kind), ids in wanted.items():
            for record_id in ids:
                self._links[kind, record_id] = None
                self._saved.pop((kind, record_id), None)
            for link in db.session.scalars(sa.select(XeroLink).where(
                    XeroLink.workspace_id == workspace_id, XeroLink.record_kind == kind,
                    XeroLink.tenant_id == self.tenant_id, XeroLink.record_id.in_(ids))):
                self._links[kind, link.record_id] = link

    def find(self, record) -> XeroLink | None:
        self.load([record])
        return self._links[record.record_kind, record.id]

    def record_push(self, record, xero_id: str, version: int,
                    fields: dict[str, str] | None = None, sent_status: str | None = None,
                    answer: dict | None = None) -> XeroLink:
        """As the module's ``record_push``; a new link waits for ``save``."""
        link = self.find(record)
        if link is None:
            link = _new_link(record, self.tenant_id)
            self._new.append(link)
            self._links[record.record_kind, record.id] = link
        _fill(link, xero_id, version, fields, sent_status, answer)
        return link

    def save(self) -> None:
        """Insert the new links into the session's transaction (the caller commits). They
        are read again, with their ids, when next asked for."""
        if not self._new:
            return
        db.session.execute(sa.insert(XeroLink), [_columns(link) for link in self._new])
        for link in self._new:
            self._saved[link.record_kind, link.record_id] = link.workspace_id
        self._new.clear()


def _columns(link: XeroLink) -> dict:
    """The columns set on a link not yet in the session, for an INSERT."""
    return {key: value for key, value in vars(link).items() if key in _COLUMNS}


_COLUMNS = frozenset(column.key for column in XeroLink.__table__.columns)


def forget(record, tenant_id: str) -> None:
    """The object is gone from Xero: the next push is a Send again."""
    link = find(record, tenant_id)
    if link is not None:
        db.session.delete(link)


def keep_line_ids(document, xero_lines: list[dict]) -> None:
    """Write Xero's LineItemIDs back onto an invoice's or order's lines, so the next update
    edits those lines rather than recreating them. Xero answers with the lines in the order
    sent; a count mismatch means we cannot pair them safely, so the ids are left as they were
    (the next update recreates those lines)."""
    if len(xero_lines) != len(document.lines):
        return
    for line, xero_line in zip(document.lines, xero_lines):
        line.xero_line_item_id = xero_line.get("LineItemID")
