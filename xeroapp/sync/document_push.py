"""The steps every push of a document with lines (an invoice, a purchase order) takes in Xero.

A document type describes its Xero resource once (``XeroDocument``: path, id and number
fields, the statuses that lock it) and hands its own parts (its body, how its copies are
found) to these steps:

- a new one is only ever created (PUT): POST would update any document already holding our
  number. One sent without a number (Xero numbers it) whose earlier try may have reached
  Xero is looked for first (sync/our_copies.py); what it sends is kept on the push row,
  committed before the call, until Xero answers for it. A create refused for its number
  adopts our own earlier copy or stops, naming the number (sync/number_clash.py);
- an update first checks that Xero still takes changes to the document (sync/xero_locks.py:
  an invoice until it has a payment or is voided or deleted, an order until it is billed or
  deleted). What was last read back from Xero onto the link decides without a call; when
  nothing says it is locked, the document's status in Xero is read first. Locked, we change
  nothing rather than fail half-way on Xero's words. Gone from Xero, its link is forgotten:
  the next push is a Send again;
- every push writes Xero's LineItemIDs back onto our lines, in order, so the next update
  edits lines instead of deleting and recreating them, and keeps the number Xero gave.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xeroapp.backsync import apply as backsync_apply
from xeroapp.models import XeroLink
from xeroapp.sync import linking, number_clash, numbers, our_copies, xero_locks
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import GoneFromXero, LockedInXero
from xeroapp.workspaces import time_zone_of
from xeroapp.xero.errors import NotFound, ValidationError

# The id of our earlier copy in Xero, None (no copy), or DoubtfulCopy (copies not told apart).
CopyFinder = Callable[[set[str]], "str | our_copies.DoubtfulCopy | None"]
# For a refused number: the id of our own earlier copy holding it, or NumberTaken.
HolderVerdict = Callable[[number_clash.Clash], "str | number_clash.NumberTaken"]


@dataclass(frozen=True)
class XeroDocument:
    """One kind of Xero document, as these steps need it."""

    noun: str  # "invoice": in messages
    path: str  # "Invoices": the endpoint, and the list in bodies and answers
    id_field: str  # "InvoiceID"
    number_field: str  # "InvoiceNumber"
    key: str  # prefix of the Idempotency-Keys of its calls ("invoice-create" ...)
    record_kind: str  # "invoice": whose lock rule applies (sync/xero_locks.py)
    locked: Callable[[str], LockedInXero]  # the stop to raise for a lock code
    params: dict[str, str] = field(default_factory=dict)  # on every call (unitdp)

    def first(self, answer: dict) -> dict:
        return (answer.get(self.path) or [{}])[0]

    def call(self, ctx: PushContext, method: str, path: str, body: dict, step: str,
             *key_parts: Any) -> dict:
        return ctx.xero.accounting(method, path, params=self.params or None,
                                   json={self.path: [body]},
                                   idempotency_key=ctx.key(f"{self.key}-{step}", *key_parts, body))


@dataclass(frozen=True)
class NewDocument:
    """What sending a record not linked yet needs from its document type."""

    body: dict  # the create body
    contact_id: str
    find_copy: CopyFinder
    holder_verdict: HolderVerdict
    copy_body: Callable[[], dict]  # the body that updates our own earlier copy


def send_new(ctx: PushContext, doc: XeroDocument, record, new: NewDocument) -> dict:
    """Xero's answer for a record not linked yet: our earlier copy updated, or a new one."""
    copy_id = _copy_sent_before(ctx, doc, record, new)
    if copy_id is not None:
        return update_copy(ctx, doc, copy_id, new.copy_body())
    return _create(ctx, doc, record, new)


def update(ctx: PushContext, doc: XeroDocument, record, xero_id: str, body: dict) -> dict:
    """Xero's answer for an update of the linked document, once it is known to be editable."""
    check_editable(ctx, doc, record, xero_id)
    try:
        return doc.call(ctx, "POST", f"{doc.path}/{xero_id}", body, "update", xero_id)
    except ValidationError as exc:  # renumbered here to a number Xero already holds
        numbers.stop_on_clash(exc, record)
        raise


def record_answer(ctx: PushContext, doc: XeroDocument, record, answer: dict,
                  version: int, sent_status: str | None = None) -> XeroLink:
    """Keep Xero's line ids and number on the record, and link it (``version``: the one the
    body carried, even if the record was edited meanwhile; ``sent_status``: the Status a
    create sent)."""
    result = doc.first(answer)
    linking.keep_line_ids(record, result.get("LineItems") or [])
    numbers.keep_xero_number(record, result.get(doc.number_field))
    return linking.record_push(record, ctx.tenant_id, result[doc.id_field], version,
                               sent_status=sent_status, answer=result)


def check_editable(ctx: PushContext, doc: XeroDocument, record, xero_id: str) -> None:
    """Raise GoneFromXero (the link forgotten) or the document's LockedInXero stop."""
    stop_if_known_locked(ctx, doc, record)
    try:
        current = ctx.xero.accounting("GET", f"{doc.path}/{xero_id}", params=doc.params or None)
    except NotFound:
        linking.forget(record, ctx.tenant_id)
        ctx.commit_step()
        raise GoneFromXero(f"{doc.noun.capitalize()} {record.label} no longer exists in Xero. "
                           "Send it again to create it there.") from None
    lock = xero_locks.document_lock(doc.record_kind, doc.first(current))
    if lock is not None:
        keep_what_xero_said(ctx, doc, record, doc.first(current))
        raise doc.locked(lock)


def keep_what_xero_said(ctx: PushContext, doc: XeroDocument, record, current: dict) -> None:
    """A push that found the document paid, voided or deleted in Xero keeps that read on the
    link, with its change in the history, as reading it back would: the Xero tab then offers
    what fits (Send again as new, Unlink) now, not after the next webhook or poll."""
    link = linking.find(record, ctx.tenant_id)
    found = backsync_apply.seen(doc.path, current)
    if link is not None and found is not None:
        backsync_apply.apply(link, found, time_zone_of(record.workspace_id))
        ctx.commit_step()


def stop_if_known_locked(ctx: PushContext, doc: XeroDocument, record) -> None:
    """Raise the document's LockedInXero stop when what was last read back from Xero onto the
    link says Xero takes no more changes (paid, voided, billed ...): called first thing, so
    such a push makes no call to Xero at all, not even for its contact or products."""
    known = xero_locks.link_lock(linking.find(record, ctx.tenant_id))
    if known is not None:
        raise doc.locked(known)


def update_copy(ctx: PushContext, doc: XeroDocument, xero_id: str, body: dict) -> dict:
    """Our own earlier copy, updated by its id to what the record says now."""
    return doc.call(ctx, "POST", f"{doc.path}/{xero_id}", body, "adopt", xero_id)


def _create(ctx: PushContext, doc: XeroDocument, record, new: NewDocument) -> dict:
    """PUT the document. Sent without a number, what it sends is kept on the push row until
    Xero answers for it: till then it may be in Xero, and every later push looks for it."""
    if not new.body.get(doc.number_field):
        ctx.job.sent_fingerprint = numbers.fingerprint(new.body)
        ctx.commit_step()
    try:
        answer = doc.call(ctx, "PUT", doc.path, new.body, "create")
    except ValidationError as exc:
        if ctx.job.sent_fingerprint is not None:  # Xero answered: it did not save this one
            ctx.job.sent_fingerprint = None
            ctx.commit_step()
        if not record.number or not number_clash.is_clash(exc.messages):
            raise
        return _adopt_holder(ctx, doc, record, new, exc.messages)
    ctx.job.sent_fingerprint = None  # committed with the link
    return answer


def _copy_sent_before(ctx: PushContext, doc: XeroDocument, record,
                      new: NewDocument) -> str | None:
    """The id of our copy of an unnumbered record an earlier try may have created (its answer
    lost), or None: not sent before, or not in Xero. Raises DoubtfulCopy when Xero holds
    copies that cannot be told apart."""
    if new.body.get(doc.number_field):  # a numbered one is recognised by its number instead
        return None
    sent = our_copies.sent_fingerprints(ctx.tenant_id, record.record_kind,
                                        [record.id]).get(record.id)
    if not sent:
        return None
    verdict = new.find_copy({numbers.fingerprint(new.body), *sent})
    if isinstance(verdict, our_copies.DoubtfulCopy):
        raise verdict
    if verdict is not None:
        ctx.job.sent_fingerprint = None  # found: committed with the link
    return verdict


def _adopt_holder(ctx: PushContext, doc: XeroDocument, record, new: NewDocument,
                  xero_messages: list[str]) -> dict:
    """"... must be unique": update the holder if it is our own earlier copy (a push whose
    answer was lost), else raise NumberTaken: anyone else's document is left alone."""
    verdict = new.holder_verdict(number_clash.clash_of(record, new.contact_id, xero_messages))
    if isinstance(verdict, number_clash.NumberTaken):
        raise verdict
    return update_copy(ctx, doc, verdict, new.copy_body())
