"""What Xero still lets the API change on an invoice or purchase order, from its Status and
its payments: one rule for the push engine (before any update), the bulk run and the panel.

Invoices (xero_accounting.yaml, components.schemas.Invoice; Xero's Invoices page: "add or
update draft or submitted invoices ... void approved invoices"):
- DRAFT and SUBMITTED: editable;
- AUTHORISED (approved, "Awaiting payment"): still editable through the API while no payment
  or credit note is allocated to it;
- with a payment (part paid, AUTHORISED with AmountPaid > 0) Xero refuses every change: "This
  document cannot be edited as it has a payment or credit note allocated to it.";
- PAID: "Invoice not of valid status for modification"; VOIDED and DELETED never change again.
Purchase orders: BILLED (a bill was raised from it) and DELETED are kept as they are.

A lock is named by a code: PAID, PART_PAID, VOIDED, DELETED (invoices), BILLED, DELETED
(purchase orders); None when Xero takes an update.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

INVOICE_LOCKED = ("PAID", "VOIDED", "DELETED")
ORDER_LOCKED = ("BILLED", "DELETED")
# Locks that end the object's life in Xero: a new one can be created in its place.
GONE = ("VOIDED", "DELETED")


def lock_of(record_kind: str, status: str | None, amount_paid: Any = None,
            payments: list | None = None) -> str | None:
    """The lock code for an object Xero holds with ``status`` (and, for invoices, what has
    been paid), or None: Xero takes an update. An unknown status (not read yet) is None."""
    status = (status or "").upper()
    if record_kind == "purchase_order":
        return status if status in ORDER_LOCKED else None
    if record_kind != "invoice":
        return None
    if status in INVOICE_LOCKED:
        return status
    if status == "AUTHORISED" and (payments or _positive(amount_paid)):
        return "PART_PAID"
    return None


def document_lock(record_kind: str, document: dict) -> str | None:
    """The lock of a document as Xero's API returns it (Status, AmountPaid, Payments)."""
    return lock_of(record_kind, document.get("Status"), document.get("AmountPaid"),
                   document.get("Payments"))


def link_lock(link: Any) -> str | None:
    """The lock of a linked object, from what was last read back from Xero onto its link
    (None when nothing was read: the push then asks Xero itself)."""
    if link is None:
        return None
    return lock_of(link.record_kind, link.xero_status, link.xero_amount_paid, link.xero_payments)


def _positive(amount: Any) -> bool:
    try:
        return amount is not None and Decimal(str(amount)) > 0
    except InvalidOperation:
        return False


def locked_condition(link: Any) -> Any:
    """``link_lock(link) is not None`` as a SQL condition on an XeroLink entity (or alias),
    for what "Update all changed" leaves out. AmountPaid is read back with every payment, so
    it stands for Payments here."""
    import sqlalchemy as sa  # the rules above need no database; only this condition does

    # NULLs (nothing read back yet) made definite, so NOT(condition) keeps those links.
    status = sa.func.coalesce(link.xero_status, "")
    paid = sa.func.coalesce(link.xero_amount_paid, 0)
    invoice = sa.and_(link.record_kind == "invoice", sa.or_(
        status.in_(INVOICE_LOCKED), sa.and_(status == "AUTHORISED", paid > 0)))
    order = sa.and_(link.record_kind == "purchase_order", status.in_(ORDER_LOCKED))
    return sa.or_(invoice, order)
