"""Xero's state of one object, written on the links that point at it, with a XeroChange for
each transition.

A version is applied only when it is newer (Xero's UpdatedDateUTC) than the one the link
holds, by one conditional UPDATE, so events read out of order, a webhook and a poll reading
the same version, or two jobs racing, never move a link backwards or record a change twice
(XeroChange is also unique per record, change and version).

What is a change worth recording: invoices submitted, approved, part paid, paid, voided,
deleted and payments removed; purchase orders submitted, approved, billed, deleted; contacts
archived, merged, restored. A plain edit is not recorded (our own pushes edit too).

The first read of a link (``xero_status`` None: pushed before back-sync existed, or never
read) records Xero's state without a change unless the state is news a person would not
expect from their own push: paid or part paid, voided, deleted, billed, archived or merged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from xeroapp.backsync import xero_dates
from xeroapp.backsync.inserts import insert_new
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroLink
from xeroapp.models.xero_side import XeroChange
from xeroapp.timezones import in_zone

# Xero resource -> (the id field of its objects, the record kinds linked to them).
RESOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Invoices": ("InvoiceID", ("invoice",)),
    "Contacts": ("ContactID", ("client", "supplier")),
    "PurchaseOrders": ("PurchaseOrderID", ("purchase_order",)),
}
# Changes recorded on a link's first read (see the module's docstring).
NOTABLE_ON_FIRST_READ = frozenset({"paid", "part_paid", "voided", "deleted", "billed",
                                   "archived", "merged"})


@dataclass(frozen=True)
class Seen:
    """One object as Xero answered it."""

    resource: str
    xero_id: str
    status: str | None
    updated_at: datetime | None
    amount_paid: Decimal | None = None
    amount_due: Decimal | None = None
    payments: list[dict[str, str]] | None = None
    merged_into: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def seen(resource: str, obj: dict[str, Any]) -> Seen | None:
    """Read one object of ``resource`` from Xero's JSON; None without an id."""
    id_field = RESOURCES[resource][0]
    xero_id = obj.get(id_field)
    if not isinstance(xero_id, str):
        return None
    updated = xero_dates.moment(obj.get("UpdatedDateUTC"))
    if resource == "Contacts":
        return Seen(resource, xero_id, obj.get("ContactStatus"), updated,
                    merged_into=obj.get("MergedToContactID"))
    if resource == "PurchaseOrders":
        return Seen(resource, xero_id, obj.get("Status"), updated)
    return Seen(resource, xero_id, obj.get("Status"), updated,
                amount_paid=_decimal(obj.get("AmountPaid")), amount_due=_decimal(obj.get("AmountDue")),
                payments=[_payment(p) for p in obj.get("Payments") or []
                          if isinstance(p, dict) and p.get("Status", "AUTHORISED") != "DELETED"],
                extra={"fully_paid_on": xero_dates.day(obj.get("FullyPaidOnDate"))})


def apply(link: XeroLink, found: Seen, time_zone: str) -> list[str] | None:
    """Write ``found`` on ``link`` if newer than what it holds, with its changes; returns the
    changes recorded, or None when the version was not newer. The caller commits."""
    if found.updated_at is None:
        return None
    if link.xero_updated_at is not None and found.updated_at <= link.xero_updated_at:
        return None
    changes = transitions(link, found, time_zone)
    if link.xero_status is None:
        changes = [(change, text) for change, text in changes if change in NOTABLE_ON_FIRST_READ]
    newer = sa.or_(XeroLink.xero_updated_at.is_(None), XeroLink.xero_updated_at < found.updated_at)
    values: dict[str, Any] = {"xero_status": found.status, "xero_updated_at": found.updated_at,
                              "xero_read_at": utcnow()}
    if found.resource == "Invoices":
        values.update(xero_amount_paid=found.amount_paid, xero_amount_due=found.amount_due,
                      xero_payments=found.payments)
    if found.resource == "Contacts":
        values["xero_merged_into"] = found.merged_into
    result = db.session.execute(sa.update(XeroLink).where(XeroLink.id == link.id, newer)
                                .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None  # another job wrote a newer version meanwhile
    insert_new(XeroChange, [{
        "workspace_id": link.workspace_id, "record_kind": link.record_kind,
        "record_id": link.record_id, "tenant_id": link.tenant_id, "change": change,
        "summary": text, "xero_updated_at": found.updated_at, "recorded_at": utcnow()}
        for change, text in changes])
    return [change for change, _ in changes]


def transitions(link: XeroLink, found: Seen, time_zone: str) -> list[tuple[str, str]]:
    """(change, plain words) for each way ``found`` differs from what the link holds."""
    when = xero_dates.spoken(in_zone(found.updated_at, time_zone).date()) if found.updated_at else ""
    if found.resource == "Contacts":
        return _contact_changes(link.xero_status, found, when)
    if found.resource == "PurchaseOrders":
        return _status_changes(link.xero_status, found.status, when, PURCHASE_ORDER_STATUSES)
    return _payment_changes(link, found) + _status_changes(link.xero_status, found.status, when,
                                                           INVOICE_STATUSES)


# status -> (change, words): what reaching that status means, when it is new.
INVOICE_STATUSES = {"SUBMITTED": ("submitted", "Submitted for approval in Xero"),
                    "AUTHORISED": ("approved", "Approved in Xero"),
                    "VOIDED": ("voided", "Voided in Xero"),
                    "DELETED": ("deleted", "Deleted in Xero")}
PURCHASE_ORDER_STATUSES = {"SUBMITTED": ("submitted", "Submitted for approval in Xero"),
                           "AUTHORISED": ("approved", "Approved in Xero"),
                           "BILLED": ("billed", "Billed in Xero"),
                           "DELETED": ("deleted", "Deleted in Xero")}
# An invoice back to AUTHORISED from PAID lost a payment: that is its change, not "approved".
_NOT_AN_APPROVAL = ("PAID", "AUTHORISED")


def _status_changes(before: str | None, after: str | None, when: str,
                    meanings: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    if after == before or after not in meanings:
        return []
    if after == "AUTHORISED" and before in _NOT_AN_APPROVAL:
        return []
    change, words = meanings[after]
    return [(change, f"{words} on {when}" if when else words)]


def _payment_changes(link: XeroLink, found: Seen) -> list[tuple[str, str]]:
    before = {p.get("PaymentID"): p for p in link.xero_payments or []}
    now = {p.get("PaymentID"): p for p in found.payments or []}
    changes = [("payment_removed", f"Payment removed in Xero: {_money(p.get('Amount'))}"
                + _on(p.get("Date"))) for key, p in before.items() if key not in now]
    added = [p for key, p in now.items() if key not in before]
    if found.status == "PAID" and (added or link.xero_status != "PAID"):
        amount = sum((_decimal(p.get("Amount")) or Decimal(0) for p in added), Decimal(0)) \
            if added else found.amount_paid
        paid_on = max((p.get("Date") or "" for p in added), default="") or \
            (found.extra.get("fully_paid_on") or "")
        changes.append(("paid", f"Paid in Xero: {_money(amount)}{_on(str(paid_on))}"))
    elif added and found.status == "AUTHORISED":
        amount = sum((_decimal(p.get("Amount")) or Decimal(0) for p in added), Decimal(0))
        paid_on = max(p.get("Date") or "" for p in added)
        changes.append(("part_paid", f"Part paid in Xero: {_money(amount)}{_on(paid_on)}; "
                                     f"{_money(found.amount_due)} still due"))
    return changes


def _contact_changes(before: str | None, found: Seen, when: str) -> list[tuple[str, str]]:
    on = f" on {when}" if when else ""
    if found.status == "ARCHIVED" and before != "ARCHIVED":
        if found.merged_into:
            return [("merged", f"Merged into another contact in Xero{on}")]
        return [("archived", f"Archived in Xero{on}")]
    if found.status == "ACTIVE" and before == "ARCHIVED":
        return [("restored", f"Restored in Xero{on}")]
    return []


def _payment(payment: dict[str, Any]) -> dict[str, str]:
    """A payment as a link keeps it: {PaymentID, Date YYYY-MM-DD, Amount "12.50", Reference}."""
    paid_on = xero_dates.day(payment.get("Date"))
    amount = _decimal(payment.get("Amount"))
    return {"PaymentID": str(payment.get("PaymentID") or ""),
            "Date": paid_on.isoformat() if paid_on else "",
            "Amount": f"{amount:.2f}" if amount is not None else "",
            "Reference": str(payment.get("Reference") or "")}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _money(value: Any) -> str:
    amount = _decimal(value)
    return f"{amount:,.2f}" if amount is not None else "?"


def _on(iso_day: str | None) -> str:
    """`` on 3 Dec 2026`` for a YYYY-MM-DD date (a payment's own date, as the organisation
    keeps it), else nothing."""
    if not iso_day:
        return ""
    try:
        return f" on {xero_dates.spoken(date.fromisoformat(str(iso_day)[:10]))}"
    except ValueError:
        return ""
