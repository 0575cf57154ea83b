"""A create Xero refused because the document number is already held there: our own earlier
copy, to adopt, or someone else's document, never to be touched.

Records without a Xero link are only ever created with PUT, which Xero refuses for a number it
already holds ("Invoice # must be unique.", "Order number must be unique"). POST on the
collection would not refuse: Xero takes a POST naming a number it already holds as an update
of whichever document holds that number, so it would rewrite the business's own INV-0001.

The holder is OUR earlier copy when a push whose answer was lost (a timeout, a worker that
died after Xero saved it, a re-send after the Idempotency-Key expired or with a changed body)
left it in Xero without a link here. It is recognised by being for OUR contact and still open
(an invoice DRAFT, SUBMITTED, or AUTHORISED without a payment, as invoices may be created
approved; an order DRAFT, SUBMITTED or AUTHORISED): then the caller
updates it by its ID instead of duplicating it. Anything else holding the number is someone
else's: the record fails with Xero's words, the number, and where to change it.

The single push (sync/invoices.py, sync/purchase_orders.py) and the bulk batch
(sync/bulk/senders.py) both decide through ``invoice_verdicts`` / ``purchase_order_verdict``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from xeroapp.extensions import db
from xeroapp.models import Workspace
from xeroapp.sync import messages
from xeroapp.sync.outcomes import PushStopped
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import NotFound

DUPLICATE_NUMBER = "must be unique"  # "Invoice # must be unique.", "Order number must be unique"
OPEN_INVOICE = ("DRAFT", "SUBMITTED", "AUTHORISED")  # AUTHORISED: only without a payment
OPEN_ORDER = ("DRAFT", "SUBMITTED", "AUTHORISED")
# One GET /Invoices?InvoiceNumbers=A,B,... looks up many numbers. Xero's servers refuse a URL
# much past 2,000 characters (with a 404 page of their own, not an API answer), so a lookup
# takes at most 40 numbers and at most this many characters of them once URL-encoded.
NUMBERS_PER_LOOKUP = 40
LOOKUP_MAX_ENCODED = 1500


def is_clash(xero_messages: list[str]) -> bool:
    """Xero refused the create because the number is already held."""
    return any(DUPLICATE_NUMBER in message for message in xero_messages)


@dataclass
class Clash:
    """One record Xero refused for its number: what we sent, and Xero's words."""

    record_kind: str  # "invoice" or "purchase_order"
    number: str
    contact_id: str
    xero_messages: list[str]
    numbered_by_xero: bool = False  # the workspace lets Xero number new documents


def clash_of(record: Any, contact_id: str, xero_messages: list[str]) -> Clash:
    workspace = db.session.get(Workspace, record.workspace_id)
    return Clash(record.record_kind, record.number, contact_id, xero_messages,
                 bool(workspace and workspace.numbered_by_xero))


class NumberTaken(PushStopped):
    """Someone else's document holds the number (or ours, no longer open): nothing in Xero
    is changed, and the message says where to change the number here."""

    def __init__(self, party: str, clash: Clash, holder: dict | None) -> None:
        super().__init__(taken_message(party, clash, holder), field="Number")


def taken_message(party: str, clash: Clash, holder: dict | None) -> str:
    """Xero's words, the number and where to change it; or, when the holder is for this same
    contact but no longer open (approved, paid ...), why it was left alone and why changing
    the number is right only for a different document."""
    if holder is not None and (holder.get("Contact") or {}).get("ContactID") == clash.contact_id:
        status = (holder.get("Status") or "").upper()
        if status == "AUTHORISED" and _paid(holder):
            status = "AUTHORISED with a payment"
        return messages.number_held_closed(clash.record_kind, clash.number, party, status)
    said = [m for m in clash.xero_messages if DUPLICATE_NUMBER in m]
    others = [m for m in clash.xero_messages if m not in said]
    return messages.number_clash(clash.record_kind, clash.number, said, others,
                                 clash.numbered_by_xero)


def _ours(holder: dict | None, contact_id: str, open_statuses: tuple[str, ...]) -> bool:
    return (holder is not None and (holder.get("Contact") or {}).get("ContactID") == contact_id
            and (holder.get("Status") or "").upper() in open_statuses)


def _paid(invoice: dict) -> bool:
    """A payment is allocated to it: Xero takes no update of it any more."""
    return bool(invoice.get("Payments")) or float(invoice.get("AmountPaid") or 0) > 0


# -- invoices -------------------------------------------------------------------------------------

def invoice_verdicts(xero: XeroClient, clashes: list[Clash]) -> list[str | NumberTaken]:
    """For each clash, in order: the InvoiceID of our own earlier copy (update it), or the
    NumberTaken to report. All the numbers are looked up together, in few calls."""
    holders = invoices_holding(xero, [clash.number for clash in clashes])
    verdicts: list[str | NumberTaken] = []
    for clash in clashes:
        holder = holders.get(clash.number.casefold())
        if _ours(holder, clash.contact_id, OPEN_INVOICE) and not _paid(holder):
            verdicts.append(holder["InvoiceID"])
        else:
            verdicts.append(NumberTaken("client", clash, holder))
    return verdicts


def invoices_holding(xero: XeroClient, numbers: list[str]) -> dict[str, dict]:
    """Casefolded number -> the sales invoice holding it, for the numbers Xero has."""
    found: dict[str, dict] = {}
    listed = [n for n in dict.fromkeys(numbers) if "," not in n]
    for chunk in _lookup_chunks(listed):
        answer = xero.accounting("GET", "Invoices", params={"InvoiceNumbers": ",".join(chunk),
                                                          **mapping.FOUR_DP})
        _keep_sales_invoices(found, answer)
    for number in dict.fromkeys(n for n in numbers if "," in n):  # a comma would split the list
        try:
            answer = xero.accounting("GET", f"Invoices/{quote(number, safe='')}",
                                     params=mapping.FOUR_DP)
        except NotFound:
            continue
        _keep_sales_invoices(found, answer)
    return found


def _keep_sales_invoices(found: dict[str, dict], answer: dict) -> None:
    for invoice in answer.get("Invoices") or []:
        if invoice.get("Type") == "ACCREC":  # bills' numbers are the supplier's, not unique
            found[(invoice.get("InvoiceNumber") or "").casefold()] = invoice


def _lookup_chunks(numbers: list[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    length = 0
    for number in numbers:
        size = len(quote(number, safe="")) + len("%2C")
        if chunk and (len(chunk) == NUMBERS_PER_LOOKUP or length + size > LOOKUP_MAX_ENCODED):
            yield chunk
            chunk, length = [], 0
        chunk.append(number)
        length += size
    if chunk:
        yield chunk


# -- purchase orders -----------------------------------------------------------------------------

def purchase_order_verdict(xero: XeroClient, clash: Clash) -> str | NumberTaken:
    """The PurchaseOrderID of our own earlier copy (update it), or the NumberTaken to report."""
    try:
        found = xero.accounting("GET", f"PurchaseOrders/{quote(clash.number, safe='')}")
    except NotFound:
        found = {}
    wanted = clash.number.casefold()
    holder = next((o for o in found.get("PurchaseOrders") or []
                   if (o.get("PurchaseOrderNumber") or "").casefold() == wanted), None)
    if _ours(holder, clash.contact_id, OPEN_ORDER):
        return holder["PurchaseOrderID"]
    return NumberTaken("supplier", clash, holder)
