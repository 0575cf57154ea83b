"""Our own copy of an invoice or purchase order sent WITHOUT a number, found again after its
answer was lost.

A workspace may let Xero number new invoices. Such a create carries nothing unique to us: a
re-send is never refused as a duplicate number (sync/number_clash.py finds numbered copies
that way), and once Xero has forgotten the Idempotency-Key (6 minutes after the first call)
a re-send creates a second invoice. So a push row keeps the content fingerprint of the
unnumbered invoice it is about to create (PushJob.sent_fingerprint, sync/numbers.py) until
Xero answers for it. While any unfinished row of the record keeps one, the invoice may be in
Xero already, and every later send of it (a batch or a single push, from the sweeper, a
scheduled retry or a person's Retry) first looks for that copy:

    GET /Invoices?ContactIDs=<our contacts>&Statuses=DRAFT,SUBMITTED,AUTHORISED&createdByMyApp=true&page=n

A copy is ours when Xero says this app created it, it is for the record's contact and still
open (AUTHORISED too, as Settings > Invoices may create them approved, but without a
payment: Xero takes no update of one with a payment), no other record here is linked to it,
and its content is what this version says or what an earlier try sent (the record may have been edited since). Exactly one such copy: it
is updated by its InvoiceID and linked. None: the invoice is not in Xero and is created.
Several, or more open invoices than we read: the match is doubtful, so nothing is sent and
the record fails, saying to check Xero (adopting the wrong one would overwrite it, sending
again might make one copy more).

No marker of ours is written on the invoice: its Reference is the business's own and is
printed on what the customer gets; a history note can only be added after the create, so
it is missing exactly when the create's answer was lost. The app that created an invoice is
recorded by Xero itself (the spec's ``createdByMyApp`` filter), which is the marker.

Purchase orders (single pushes only) are found the same way with what GET /PurchaseOrders
can filter on: the order's date (DateFrom, DateTo), then, here, an open status (DRAFT,
SUBMITTED, AUTHORISED), our supplier's contact, no link to another order here and the same
content. Its spec has no createdByMyApp; an order the business keyed in by hand for that
supplier, that day, with the same reference and lines would be taken for ours, and updated
to what it already says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroLink
from xeroapp.sync import numbers
from xeroapp.sync.outcomes import PushStopped
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient

OPEN = "DRAFT,SUBMITTED,AUTHORISED"
OPEN_ORDER = ("DRAFT", "SUBMITTED", "AUTHORISED")
PAGE_SIZE = 100  # what Xero returns per page of invoices and of purchase orders
MAX_PAGES = 10   # past 1,000 open documents we stop reading and doubt


class DoubtfulCopy(PushStopped):
    """Xero may hold this document already, but which of its documents is ours is not
    certain: nothing is sent, and the person checks Xero."""

    def __init__(self, noun: str, party: str, why: str) -> None:
        super().__init__(
            f"An earlier send of this {noun} may have reached Xero without an answer, and "
            f"{why}. It was not sent again, so that no copy is added. Check the open {noun}s "
            f"for {party} in Xero: delete any extra copy there, then press Send here.")


def _doubt(noun: str, party: str, matches: int) -> DoubtfulCopy:
    if matches > 1:
        why = f"Xero holds {matches} open {noun}s for {party} that match it"
    elif matches:
        why = (f"the {noun} in Xero that matches it could as well be another {noun} here for "
               f"{party} with the same lines")
    else:
        why = f"Xero holds too many open {noun}s for {party} to be sure whether it is there"
    return DoubtfulCopy(noun, party, why)


@dataclass
class Wanted:
    """One document that may be in Xero: its contact there (``party`` names it), and every
    fingerprint it may carry (this version's, and what earlier tries sent)."""

    record: Any
    contact_id: str
    party: str
    fingerprints: set[str] = field(default_factory=set)


# -- which records may be in Xero already ---------------------------------------------------------

def sent_fingerprints(tenant_id: str, kind: str, record_ids: list[int]) -> dict[int, set[str]]:
    """Record id -> the fingerprints of its creates sent without an answer yet, for the
    records that have any (the others cannot be in Xero without our knowing)."""
    if not record_ids:
        return {}
    rows = db.session.execute(sa.select(PushJob.record_id, PushJob.sent_fingerprint).where(
        PushJob.record_kind == kind, PushJob.record_id.in_(record_ids),
        PushJob.tenant_id == tenant_id, PushJob.sent_fingerprint.is_not(None),
        PushJob.status != "done"))
    found: dict[int, set[str]] = {}
    for record_id, fingerprint in rows:
        found.setdefault(record_id, set()).add(fingerprint)
    return found


# -- looking for them ------------------------------------------------------------------------------

def find_invoices(xero: XeroClient, tenant_id: str,
                  wanted: list[Wanted]) -> dict[int, str | DoubtfulCopy | None]:
    """Record id -> the InvoiceID of our copy, a DoubtfulCopy, or None (not in Xero). All the
    contacts are looked up together, in as few calls as the URL length allows."""
    candidates, complete = _open_invoices_of(xero, [w.contact_id for w in wanted])
    candidates = [c for c in candidates if c.get("Type") == "ACCREC"]
    return _verdicts(tenant_id, "invoice", "InvoiceID", wanted, candidates, complete)


def find_purchase_order(xero: XeroClient, tenant_id: str, wanted: Wanted,
                        day: str) -> str | DoubtfulCopy | None:
    """The PurchaseOrderID of our copy dated ``day`` (YYYY-MM-DD), a DoubtfulCopy, or None
    (not in Xero)."""
    candidates: list[dict] = []
    read_all = False
    for page in range(1, MAX_PAGES + 1):
        answer = xero.accounting("GET", "PurchaseOrders", params={
            "DateFrom": day, "DateTo": day, "page": str(page)})
        orders = answer.get("PurchaseOrders") or []
        candidates += [o for o in orders if (o.get("Status") or "").upper() in OPEN_ORDER]
        if len(orders) < PAGE_SIZE:
            read_all = True
            break
    verdicts = _verdicts(tenant_id, "purchase_order", "PurchaseOrderID", [wanted], candidates,
                         {wanted.contact_id: read_all})
    return verdicts[wanted.record.id]


def _verdicts(tenant_id: str, kind: str, id_field: str, wanted: list[Wanted],
              candidates: list[dict], complete: dict[str, bool]) -> dict[int, str | DoubtfulCopy | None]:
    """Each wanted record's copy among ``candidates``: exactly one unlinked match that no
    other wanted record matches too, else a doubt, else None."""
    linked = _linked_ids(tenant_id, kind, [c[id_field] for c in candidates])
    free = [c for c in candidates if c[id_field] not in linked]
    matches = {w.record.id: [c[id_field] for c in free if _same(w, c)] for w in wanted}
    claims: dict[str, int] = {}
    for ids in matches.values():
        for copy_id in ids:
            claims[copy_id] = claims.get(copy_id, 0) + 1
    noun = "invoice" if kind == "invoice" else "purchase order"
    verdicts: dict[int, str | DoubtfulCopy | None] = {}
    for w in wanted:
        ids = matches[w.record.id]
        if len(ids) == 1 and claims[ids[0]] == 1:
            verdicts[w.record.id] = ids[0]
        elif ids or not complete.get(w.contact_id, True):
            verdicts[w.record.id] = _doubt(noun, w.party, len(ids))
        else:
            verdicts[w.record.id] = None
    return verdicts


def _same(wanted: Wanted, candidate: dict) -> bool:
    contact = ((candidate.get("Contact") or {}).get("ContactID") or "").lower()
    return (contact == wanted.contact_id.lower()
            and numbers.fingerprint(candidate) in wanted.fingerprints)


def _open_invoices_of(xero: XeroClient, contact_ids: list[str]) -> tuple[list[dict], dict[str, bool]]:
    """The open invoices this app created for these contacts (with their lines: only a paged
    list carries them), and per contact whether all of them were read."""
    params = {"Statuses": OPEN, "createdByMyApp": "true", "page": "1", **mapping.FOUR_DP}
    found: list[dict] = []
    complete: dict[str, bool] = {}
    for id_list in mapping.id_lists(contact_ids, xero.room("Invoices", "ContactIDs", params)):
        read_all = False
        for page in range(1, MAX_PAGES + 1):
            answer = xero.accounting("GET", "Invoices", params={**params, "ContactIDs": id_list,
                                                               "page": str(page)})
            invoices = answer.get("Invoices") or []
            found += [i for i in invoices if not (i.get("Payments") or i.get("AmountPaid"))]
            if len(invoices) < PAGE_SIZE:
                read_all = True
                break
        complete.update((contact_id, read_all) for contact_id in id_list.split(","))
    return found, complete


def _linked_ids(tenant_id: str, kind: str, xero_ids: list[str]) -> set[str]:
    """Those of ``xero_ids`` already linked to another of our records: not a lost copy."""
    if not xero_ids:
        return set()
    return set(db.session.scalars(sa.select(XeroLink.xero_id).where(
        XeroLink.tenant_id == tenant_id, XeroLink.record_kind == kind,
        XeroLink.xero_id.in_(xero_ids))))
