"""The invoice and purchase order numbers an organisation already holds, read on connect (and
when Settings switch to our own numbering), so that new documents never reuse one.

Why connecting to an organisation that already holds documents switches a workspace that never
chose to "let Xero number them": Xero numbers an organisation's invoices as ONE running
sequence (INV-0001, INV-0002 ...; Xero Central, "Change numbering on invoices, credit notes,
quotes and purchase orders") that its people go on using in Xero while we work here. A second
series of ours starting after today's highest still collides with the next invoice someone
raises in Xero before ours is sent, and a prefix of our own splits one business's invoices
into two sequences. Sending no number and keeping the one Xero gives cannot clash and keeps
the business's one sequence. A workspace that never connected, or connects to an empty
organisation (or one it already sent its own numbers to), keeps its own series (the same
series Xero would start); one whose people chose either way in Settings keeps their choice,
its next numbers raised past the organisation's highest.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from xeroapp.document_numbers import format_number, highest_in_series
from xeroapp.extensions import db
from xeroapp.models import Workspace, XeroConnection, XeroLink
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import XeroError
from xeroapp.xero.mapping import where_string

log = logging.getLogger(__name__)

# A page of the most recent documents and a page of the highest numbers is enough: Xero's
# own sequence hands out numbers in order, so its highest is among the newest; ordering by
# number catches one typed out of order. (Ordered as text, INV-9999 sorts above INV-10000,
# which the page of newest documents then holds.)
PAGE = {"page": "1", "pageSize": "100"}


@dataclass
class HeldNumbers:
    """What the organisation holds: whether it has any sales invoice or purchase order, and
    the highest number of each of our series, as (value, digits)."""

    has_documents: bool
    invoice_highest: tuple[int, int] | None
    po_highest: tuple[int, int] | None


def read_held(client: XeroClient, workspace: Workspace) -> HeldNumbers:
    """Four GETs: sales invoices newest first and highest number first, the same for POs."""
    sales = 'Type=="ACCREC"'
    newest = _invoices(client, sales, "Date DESC")
    highest = _invoices(client, f"{sales} AND InvoiceNumber.StartsWith("
                                f"{where_string(workspace.invoice_number_prefix)})",
                        "InvoiceNumber DESC")
    orders = _orders(client, "Date DESC") + _orders(client, "PurchaseOrderNumber DESC")
    return HeldNumbers(
        has_documents=bool(newest or orders),
        invoice_highest=highest_in_series(
            [i.get("InvoiceNumber") for i in newest + highest], workspace.invoice_number_prefix),
        po_highest=highest_in_series(
            [o.get("PurchaseOrderNumber") for o in orders], workspace.po_number_prefix))


def _invoices(client: XeroClient, where: str, order: str) -> list[dict]:
    answer = client.accounting("GET", "Invoices", params={"where": where, "order": order, **PAGE})
    return answer.get("Invoices") or []


def _orders(client: XeroClient, order: str) -> list[dict]:
    # GET /PurchaseOrders has no ``where`` (the spec lists Status, DateFrom, DateTo, order).
    return client.accounting("GET", "PurchaseOrders", params={"order": order, **PAGE}).get(
        "PurchaseOrders") or []


def raise_next_numbers(workspace: Workspace, held: HeldNumbers) -> list[str]:
    """Start each own series after the organisation's highest; what was raised, in words."""
    raised = []
    for kind, highest, prefix, attr in (
            ("invoice", held.invoice_highest, workspace.invoice_number_prefix,
             "invoice_number_next"),
            ("purchase order", held.po_highest, workspace.po_number_prefix, "po_number_next")):
        if highest is not None and getattr(workspace, attr) <= highest[0]:
            setattr(workspace, attr, highest[0] + 1)
            raised.append(f"the next {kind} number is now "
                          f"{format_number(prefix, highest[0] + 1, highest[1])}, after "
                          f"{format_number(prefix, highest[0], highest[1])} in Xero")
    return raised


def after_connect(connection: XeroConnection) -> tuple[str, str] | None:
    """Read what the newly connected organisation holds and set the workspace's numbering;
    (flash category, message) to tell the person, or None when nothing changed.

    Xero unreachable here does not undo the connection: the person is told to check the
    numbers in Settings. (The connect callback reads through connect_reads instead, which
    leaves a read Xero turned away to the queue.)
    """
    workspace = db.session.get(Workspace, connection.workspace_id)
    try:
        held = read_held(XeroClient(connection.id, connection.tenant_id), workspace)
    except XeroError as exc:
        return unread(connection, exc)
    return settle(connection, held)


def unread(connection: XeroConnection, exc: XeroError) -> tuple[str, str]:
    """What to tell the person when the numbers could not be read at all."""
    log.warning("could not read the numbers %s holds: %s", connection.tenant_name, exc)
    return ("warning", f"Could not read the invoice and purchase order numbers "
                       f"{connection.tenant_name} already uses ({exc}). Check Settings › "
                       "Document numbers before sending new documents.")


def settle(connection: XeroConnection, held: HeldNumbers) -> tuple[str, str] | None:
    """Set the workspace's numbering after what the connected organisation holds (committed);
    (flash category, message), or None when nothing changed."""
    workspace = db.session.get(Workspace, connection.workspace_id)
    raised = raise_next_numbers(workspace, held)
    if (workspace.document_numbering is None and held.has_documents
            and not _has_sent_documents(workspace.id, connection.tenant_id)):
        workspace.document_numbering = "xero"
        db.session.commit()
        return ("info", f"{connection.tenant_name} already has invoices or purchase orders, "
                        "so new ones made here are now numbered by Xero when they are sent "
                        "(the next number of its own sequence). To use numbers of your own "
                        "instead, change it in Settings › Document numbers.")
    db.session.commit()
    if raised and not workspace.numbered_by_xero:
        return ("info", f"{connection.tenant_name} already uses some of your numbers: "
                        + "; ".join(raised) + ".")
    return None


def _has_sent_documents(workspace_id: int, tenant_id: str) -> bool:
    """Our own invoices or orders are already in this organisation (a reconnect): its
    documents may be ours, numbered as the workspace has numbered them so far."""
    return db.session.scalar(sa.select(XeroLink.id).where(
        XeroLink.workspace_id == workspace_id, XeroLink.tenant_id == tenant_id,
        XeroLink.record_kind.in_(("invoice", "purchase_order"))).limit(1)) is not None


def refresh_for_own_numbering(workspace: Workspace) -> tuple[str, str] | None:
    """Settings switched to (or kept) our own numbering: raise the next numbers past what the
    connected organisation holds now. (flash category, message), or None."""
    connection = XeroConnection.usable_for(workspace.id)
    if connection is None or connection.needs_reconnect:
        return None
    try:
        held = read_held(XeroClient(connection.id, connection.tenant_id), workspace)
    except XeroError as exc:
        return ("warning", f"Saved, but the numbers {connection.tenant_name} already uses could "
                           f"not be read ({exc}), so a clash with them is possible.")
    raised = raise_next_numbers(workspace, held)
    db.session.commit()
    if raised:
        return ("info", f"{connection.tenant_name} already uses some of these numbers: "
                        + "; ".join(raised) + ".")
    return None
