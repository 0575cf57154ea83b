"""Document numbers in pushes: a clash with a number Xero already holds, the number Xero gave a
document we sent without one, and finding such a document in a batched answer.

A workspace may let Xero number new invoices and purchase orders (Settings): those go without
InvoiceNumber / PurchaseOrderNumber, Xero takes the next number of the organisation's own
sequence, and the number it answers with is written onto our record.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models import Invoice, PurchaseOrder, Workspace
from xeroapp.models.documents import number_key
from xeroapp.sync import messages
from xeroapp.sync.outcomes import PushStopped
from xeroapp.xero.errors import ValidationError

log = logging.getLogger(__name__)

# Xero's words for a number it already holds: "Invoice # must be unique." (ACCREC invoices)
# and "Order number must be unique" (purchase orders).
CLASH_WORDS = {"invoice": "invoice # must be unique", "purchase_order": "order number must be unique"}


class NumberTaken(PushStopped):
    """Xero already holds the document's number: the person renumbers it here."""

    def __init__(self, record: Invoice | PurchaseOrder, xero_words: list[str]) -> None:
        super().__init__(clash_message(record, xero_words), field="Number")


def is_clash(record_kind: str, xero_words: list[str]) -> bool:
    return any(_is_clash_words(record_kind, m) for m in xero_words)


def _is_clash_words(record_kind: str, message: str) -> bool:
    words = CLASH_WORDS.get(record_kind)
    return words is not None and words in message.lower()


def clash_message(record: Invoice | PurchaseOrder, xero_words: list[str]) -> str:
    workspace = db.session.get(Workspace, record.workspace_id)
    clash = [m for m in xero_words if _is_clash_words(record.record_kind, m)]
    others = [m for m in xero_words if m not in clash]
    return messages.number_clash(record.record_kind, record.number or "", clash, others,
                                 workspace.numbered_by_xero)


def stop_on_clash(exc: ValidationError, record: Invoice | PurchaseOrder) -> None:
    """Raise NumberTaken when Xero refused ``record`` for its number (else return)."""
    if record.number and is_clash(record.record_kind, exc.messages):
        raise NumberTaken(record, exc.messages) from exc


def keep_xero_number(record: Invoice | PurchaseOrder, number: str | None) -> None:
    """Write the number Xero gave onto a record sent without one, in the caller's transaction.

    Written with an UPDATE statement and set as the loaded value, not as an edit: the number
    is Xero's answer to this push, and an edit would bump the record's version and show it as
    "changed since the last push". A number another of our records already carries (typed
    here while Xero's sequence reached it) is not written: the local unique constraint would
    refuse it, and that other record will meet Xero's own clash message when sent.
    """
    number = (number or "").strip()
    if record.number or not number:
        return
    model = type(record)
    taken = db.session.scalar(sa.select(model.id).where(
        model.workspace_id == record.workspace_id, model.id != record.id,
        model.number_key == number_key(number)).limit(1))
    if taken is not None:
        log.warning("%s %s: Xero numbered it %s, which %s %s already carries here",
                    record.record_kind, record.id, number, record.record_kind, taken)
        return
    key = number_key(number)
    db.session.execute(sa.update(model).where(model.id == record.id)
                       .values(number=number, number_key=key))
    so.attributes.set_committed_value(record, "number", number)
    so.attributes.set_committed_value(record, "number_key", key)


# -- batched answers -------------------------------------------------------------------------

def answer_for(results: list[dict], index: int, sent: dict, number_key: str) -> dict:
    """The answer's element for the request's ``index``-th document ``sent``.

    Xero answers a batch in request order, so the element at the same position is it, if it
    is the same document: by number when one was sent; without a number, by what was sent
    (contact, date, reference and every line's description and quantity). A reordered or
    short answer falls back to the one element that is the same document, and to none
    (nothing is linked) when none or several are: never to another document.
    """
    same = _same_number if sent.get(number_key) else _same_content
    if index < len(results) and same(sent, results[index], number_key):
        return results[index]
    matches = [r for r in results if same(sent, r, number_key)]
    return matches[0] if len(matches) == 1 else {}


def _same_number(sent: dict, answered: dict, number_key: str) -> bool:
    return (answered.get(number_key) or "").casefold() == sent[number_key].casefold()


def _same_content(sent: dict, answered: dict, number_key: str) -> bool:
    return _fingerprint(sent) == _fingerprint(answered)


def fingerprint(document: dict) -> str:
    """What tells a document sent without a number from the others, as a short digest that a
    push row can keep: the same for the body we send and for Xero's copy of it."""
    return hashlib.sha256(json.dumps(_fingerprint(document)).encode()).hexdigest()[:40]


def _fingerprint(document: dict) -> tuple[Any, ...]:
    contact = (document.get("Contact") or {}).get("ContactID") or ""
    lines = tuple(((line.get("Description") or "").strip(), _amount(line.get("Quantity")))
                  for line in document.get("LineItems") or [])
    return contact.lower(), _day(document), (document.get("Reference") or "").strip(), lines


def _day(document: dict) -> str:
    """YYYY-MM-DD of Date: requests carry "2026-11-02", answers "/Date(1793577600000+0000)/"
    (and DateString "2026-11-02T00:00:00")."""
    if document.get("DateString"):
        return str(document["DateString"])[:10]
    value = str(document.get("Date") or "")
    if value.startswith("/Date("):
        digits = value[6:].split(")")[0].split("+")[0]
        try:
            moment = datetime.fromtimestamp(int(digits.split("-")[0] or 0) / 1000, timezone.utc)
        except ValueError:
            return ""
        return moment.date().isoformat()
    return value[:10]


def _amount(value: Any) -> str:
    try:
        return f"{float(value):.4f}"
    except (TypeError, ValueError):
        return ""
