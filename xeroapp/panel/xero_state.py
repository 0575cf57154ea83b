"""What Xero last said about a linked record, in plain words: an invoice's or purchase order's
status ("Awaiting payment", "Part paid", "Overdue"), its payments, and a contact archived or
merged in Xero. Reads only the XeroLink columns the back-sync writes (xero_status,
xero_amount_paid, xero_payments, xero_merged_into); never calls Xero and never writes.

Status values are Xero's: Invoice.Status and PurchaseOrder.Status
(xero-openapi/xero_accounting.yaml, Invoice and PurchaseOrder schemas), Contact.ContactStatus.
Badge classes are the suffixes of static/app.css's ``.badge-*`` rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection, XeroLink
from xeroapp.timezones import zone
from xeroapp.xero.links import deep_link

# Xero's invoice Status -> (words, badge css suffix). AUTHORISED is split by what is paid
# (invoice_words); PAID, VOIDED and DELETED end the invoice's life in Xero.
INVOICE_WORDS: dict[str, tuple[str, str]] = {
    "DRAFT": ("Draft", "muted"),
    "SUBMITTED": ("Awaiting approval", "waiting"),
    "AUTHORISED": ("Awaiting payment", "queued"),
    "PAID": ("Paid", "in-xero"),
    "VOIDED": ("Voided", "muted"),
    "DELETED": ("Deleted in Xero", "failed"),
}
PART_PAID = ("Part paid", "waiting")
OVERDUE = ("Overdue", "failed")

# As Xero's own purchase-order screens name them (the API says SUBMITTED, AUTHORISED).
PURCHASE_ORDER_WORDS: dict[str, tuple[str, str]] = {
    "DRAFT": ("Draft", "muted"),
    "SUBMITTED": ("Awaiting approval", "waiting"),
    "AUTHORISED": ("Approved", "queued"),
    "BILLED": ("Billed", "in-xero"),
    "DELETED": ("Deleted in Xero", "failed"),
}

# Statuses whose invoice still has money owed in Xero (and so can be overdue).
OWING_STATUSES = ("AUTHORISED",)


@dataclass(frozen=True)
class XeroStatus:
    """One record's status as Xero last said it: words and badge, plus "Overdue" beside it."""

    label: str
    css: str
    overdue: bool = False


@dataclass(frozen=True)
class Payment:
    """One payment Xero holds against an invoice (from XeroLink.xero_payments)."""

    paid_on: date | None
    amount: Decimal | None
    reference: str


def is_read(link: XeroLink | None) -> bool:
    """Has the back-sync read Xero's side of this link yet? Before that, we know nothing."""
    return link is not None and link.xero_status is not None


def workspace_today(time_zone: str | None) -> date:
    """Today's date as the workspace's clock reads it: an invoice due "today" in Auckland
    is not overdue yet while it is still yesterday in UTC."""
    return datetime.now(zone(time_zone)).date()


def is_overdue(link: XeroLink | None, due_date: date | None, today: date) -> bool:
    """Still owed in Xero (awaiting payment, or part paid) and its due date has passed."""
    return (is_read(link) and link.xero_status in OWING_STATUSES
            and due_date is not None and due_date < today)


def invoice_status(link: XeroLink | None, due_date: date | None, today: date) -> XeroStatus | None:
    """The invoice's status in Xero, or None when not linked or not read yet."""
    if not is_read(link):
        return None
    label, css = INVOICE_WORDS.get(link.xero_status, (link.xero_status.title(), "muted"))
    if link.xero_status == "AUTHORISED" and (link.xero_amount_paid or 0) > 0:
        label, css = PART_PAID
    return XeroStatus(label, css, is_overdue(link, due_date, today))


def purchase_order_status(link: XeroLink | None) -> XeroStatus | None:
    """The purchase order's status in Xero, or None when not linked or not read yet."""
    if not is_read(link):
        return None
    label, css = PURCHASE_ORDER_WORDS.get(link.xero_status, (link.xero_status.title(), "muted"))
    return XeroStatus(label, css)


def contact_notice(link: XeroLink | None) -> str | None:
    """What a client's or supplier's page says when Xero no longer holds the contact as
    active; None while it is active (or not read)."""
    if link is None:
        return None
    if link.xero_merged_into:
        return "Merged in Xero into another contact"
    if link.xero_status == "ARCHIVED":
        return "Archived in Xero"
    if link.xero_status == "GDPRREQUEST":
        return "Xero holds a request to remove this contact's personal data"
    return None


def payments(link: XeroLink | None) -> list[Payment]:
    """Xero's payments on the invoice, in Xero's order. A malformed entry (hand-edited JSON)
    shows its blanks rather than breaking the page."""
    if link is None or not link.xero_payments:
        return []
    return [Payment(_date(entry.get("Date")), _amount(entry.get("Amount")),
                    str(entry.get("Reference") or ""))
            for entry in link.xero_payments if isinstance(entry, dict)]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def current_tenant(workspace_id: int) -> str | None:
    """The organisation the workspace is connected to (kept after a disconnect, as the panel
    does); links to any other organisation are not what Xero "now" says."""
    return db.session.scalar(sa.select(XeroConnection.tenant_id)
                             .where(XeroConnection.workspace_id == workspace_id))


def links_of(workspace_id: int, kind: str, record_ids: list[int]) -> dict[int, XeroLink]:
    """record id -> its link in the current organisation, for one page of a list (one query)."""
    tenant_id = current_tenant(workspace_id)
    if tenant_id is None or not record_ids:
        return {}
    return {link.record_id: link for link in db.session.scalars(sa.select(XeroLink).where(
        XeroLink.workspace_id == workspace_id, XeroLink.record_kind == kind,
        XeroLink.tenant_id == tenant_id, XeroLink.record_id.in_(record_ids)))}


def link_of(record: Any) -> XeroLink | None:
    """One record's link in the current organisation."""
    return links_of(record.workspace_id, record.record_kind, [record.id]).get(record.id)


@dataclass(frozen=True)
class InvoiceInXero:
    """What an invoice's page shows of Xero's side: status, what is paid and due, payments."""

    status: XeroStatus
    amount_paid: Decimal | None
    amount_due: Decimal | None
    payments: list[Payment]
    read_at: datetime | None


def invoice_in_xero(invoice: Any, time_zone: str | None) -> InvoiceInXero | None:
    """The invoice as Xero last said it; None when not linked or not read yet."""
    link = link_of(invoice)
    status = invoice_status(link, invoice.due_date, workspace_today(time_zone))
    if status is None:
        return None
    return InvoiceInXero(status, link.xero_amount_paid, link.xero_amount_due, payments(link),
                         link.xero_read_at)


@dataclass(frozen=True)
class ContactInXero:
    """A client's or supplier's notice: what became of the contact in Xero, with a link to
    the contact that remains after a merge (None when the organisation's ShortCode is
    unknown)."""

    notice: str
    merged_into_url: str | None


def contact_in_xero(record: Any) -> ContactInXero | None:
    """The notice for a contact Xero archived or merged; None while it is active there."""
    link = link_of(record)
    notice = contact_notice(link)
    if notice is None:
        return None
    url = None
    if link.xero_merged_into:
        short_code = db.session.scalar(sa.select(XeroConnection.short_code).where(
            XeroConnection.workspace_id == record.workspace_id))
        url = deep_link(short_code, record.record_kind, link.xero_merged_into)
    return ContactInXero(notice, url)
