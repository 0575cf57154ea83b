"""The invoices list's "Xero" filter: invoices by what Xero last said of them, in SQL, so
paging and the other filters keep working.

The invoice is joined to its XeroLink in the workspace's current organisation only: a link to
an organisation connected before, or any other workspace's link, never matches.
"Awaiting payment" is every approved invoice with money still owed, part paid included, as
Xero's own "Awaiting Payment" list is; "Part paid" narrows it to those with a payment.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from xeroapp.models import Invoice
from xeroapp.models.xero import XeroLink
from xeroapp.panel.xero_state import OWING_STATUSES

# filter value -> label, in the order the select lists them
XERO_FILTERS: dict[str, str] = {
    "awaiting_payment": "Awaiting payment",
    "overdue": "Overdue",
    "part_paid": "Part paid",
    "paid": "Paid",
    "draft": "Draft in Xero",
    "submitted": "Awaiting approval",
    "voided": "Voided",
    "deleted": "Deleted in Xero",
    "not_in_xero": "Not in Xero",
}

_SIMPLE = {"paid": "PAID", "draft": "DRAFT", "submitted": "SUBMITTED", "voided": "VOIDED",
           "deleted": "DELETED"}


def _link_on(workspace_id: int, tenant_id: str | None) -> sa.ColumnElement[bool]:
    return sa.and_(XeroLink.workspace_id == workspace_id, XeroLink.record_kind == "invoice",
                   XeroLink.record_id == Invoice.id, XeroLink.tenant_id == tenant_id)


def _condition(value: str, today: date) -> sa.ColumnElement[bool]:
    if value in _SIMPLE:
        return XeroLink.xero_status == _SIMPLE[value]
    owing = XeroLink.xero_status.in_(OWING_STATUSES)
    if value == "awaiting_payment":
        return owing
    if value == "part_paid":
        return sa.and_(owing, sa.func.coalesce(XeroLink.xero_amount_paid, 0) > 0)
    # overdue: our due date, as the invoice pages show it, before the workspace's today
    return sa.and_(owing, Invoice.due_date.is_not(None), Invoice.due_date < today)


def apply(query: sa.Select, value: str, workspace_id: int, tenant_id: str | None,
          today: date) -> sa.Select:
    """``query`` (of Invoice) narrowed to the filter ``value``; unknown values leave it whole."""
    if value not in XERO_FILTERS:
        return query
    if value == "not_in_xero":
        return query.where(~sa.exists().where(_link_on(workspace_id, tenant_id)))
    if tenant_id is None:
        return query.where(sa.false())
    return query.join(XeroLink, _link_on(workspace_id, tenant_id)).where(_condition(value, today))
