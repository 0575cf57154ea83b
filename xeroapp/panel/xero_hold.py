"""What the Xero tab says of where an invoice or purchase order stands in Xero: the status a
new one arrives in, the status it was sent in and, once Xero's side has been read back onto
its link (XeroLink.xero_status, xero_payments ...), what Xero still allows and why.

Kept apart from state.py's push states: a push says how the last send went, this says what
Xero holds. The rule of what Xero takes is sync/xero_locks.py, the same the push engine
applies; when it says Xero takes no more changes the tab offers no Update, and a voided or
deleted one can be sent again as a new document or unlinked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from xeroapp.extensions import db
from xeroapp.models import Workspace, XeroLink
from xeroapp.models.workspace import INVOICE_XERO_STATUSES, PO_XERO_STATUS_NAMES
from xeroapp.sync import xero_locks

DOCUMENT_KINDS = ("invoice", "purchase_order")
# Xero's own names of the statuses, as its screens show them.
STATUS_NAMES = {
    "invoice": {**INVOICE_XERO_STATUSES, "PAID": "Paid", "VOIDED": "Voided",
                "DELETED": "Deleted"},
    "purchase_order": {**PO_XERO_STATUS_NAMES, "BILLED": "Billed", "DELETED": "Deleted"},
}
# Xero holds it as it is: what the tab says, with the badge.
LOCK_BADGES = {"PAID": "Paid in Xero", "PART_PAID": "Part paid in Xero",
               "VOIDED": "Voided in Xero", "DELETED": "Deleted in Xero",
               "BILLED": "Billed in Xero"}
# "Changed here since it was ... in Xero"
LOCK_EVENTS = {"PAID": "it was paid", "PART_PAID": "a payment was made on it",
               "VOIDED": "it was voided", "DELETED": "it was deleted",
               "BILLED": "it was billed"}


@dataclass(frozen=True)
class Hold:
    """Xero's side of one document, in the tab's words."""

    arrives_as: str | None = None  # not sent yet: the status a Send creates it in
    sent_as: str | None = None  # "Sent as a draft"
    said: str | None = None  # "Paid in Xero on 3 Dec 2026: Xero takes no more changes to it."
    lock: str | None = None  # sync/xero_locks.py code; None: Xero takes an update
    flag: str | None = None  # changed here, and Xero will not take it

    @property
    def blocks_update(self) -> bool:
        return self.lock is not None

    @property
    def renewable(self) -> bool:
        """Voided or deleted in Xero: it can be sent again as a new one, or unlinked."""
        return self.lock in xero_locks.GONE

    @property
    def badge(self) -> tuple[str, str] | None:
        return (LOCK_BADGES[self.lock], "locked") if self.lock else None


def hold_of(record: Any, kind: str, link: XeroLink | None) -> Hold:
    if kind not in DOCUMENT_KINDS:
        return Hold()
    names = STATUS_NAMES[kind]
    if link is None:
        return Hold(arrives_as=names.get(_new_status(record, kind)))
    sent_as = _sent_as(names, link.sent_status)
    lock = xero_locks.link_lock(link)
    said = _said(kind, link, lock)
    changed = link.pushed_version is not None and record.version > link.pushed_version
    return Hold(sent_as=sent_as, said=said, lock=lock,
                flag=_flag(kind, lock) if lock and changed else None)


def _new_status(record: Any, kind: str) -> str:
    workspace = db.session.get(Workspace, record.workspace_id)
    return workspace.invoice_xero_status if kind == "invoice" else workspace.po_xero_status


def _sent_as(names: dict[str, str], status: str | None) -> str | None:
    if status is None:
        return None
    return "Sent as a draft" if status == "DRAFT" else f"Sent as {names.get(status, status)}"


def _said(kind: str, link: XeroLink, lock: str | None) -> str | None:
    """What Xero holds and what it allows, from what was read back (None: nothing read)."""
    status = (link.xero_status or "").upper()
    if not status:
        return None
    if lock == "PAID":
        paid_on = _last_payment_day(link.xero_payments)
        when = f" on {paid_on.day} {paid_on:%b %Y}" if paid_on else ""
        return f"Paid in Xero{when}: Xero takes no more changes to it."
    if lock == "PART_PAID":
        return (f"Part paid in Xero ({_money(link.xero_amount_paid)} paid"
                f"{_of_due(link)}): Xero takes no changes to it once a payment is made.")
    if lock in ("VOIDED", "DELETED"):
        return f"{lock.capitalize()} in Xero: it cannot change."
    if lock == "BILLED":
        return "Billed in Xero (a bill was raised from it): Xero takes no more changes to it."
    name = STATUS_NAMES[kind].get(status, status.title())
    if status == "AUTHORISED":
        until = "a payment is made" if kind == "invoice" else "it is billed"
        return f"Approved in Xero ({name}): changes are still accepted until {until}."
    return f"{name} in Xero: changes are accepted."


def _flag(kind: str, lock: str) -> str:
    noun = "invoice" if kind == "invoice" else "purchase order"
    if lock in xero_locks.GONE:
        instead = (f"Send it again as a new {noun}, or unlink it.")
    else:
        instead = "Make the correction in Xero (e.g. a credit note)."
    return (f"Changed here since {LOCK_EVENTS[lock]} in Xero; Xero will not take these "
            f"changes. {instead}")


def _last_payment_day(payments: list | None) -> date | None:
    days = []
    for payment in payments or []:
        try:
            days.append(date.fromisoformat(str(payment.get("Date") or "")[:10]))
        except ValueError:
            continue
    return max(days) if days else None


def _money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _of_due(link: XeroLink) -> str:
    if link.xero_amount_due is None:
        return ""
    return f", {_money(link.xero_amount_due)} still due"
