"""What Invoices and PurchaseOrders have in common: the contact they point at, their
numbering, dates, status transitions and line items."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from . import contacts, lines, msdate
from .batch import Write


class Rejected(Exception):
    """One or more business-rule failures for the element being written."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


T = TypeVar("T")


def collect(errors: list[str], step: Callable[[], T]) -> T | None:
    """Run one rule-checking step, adding its failures to ``errors`` so that an element is
    answered with every problem at once, as Xero does."""
    try:
        return step()
    except Rejected as rejected:
        errors.extend(rejected.messages)
        return None


IDENTIFY_CONTACT = ("The Contact must contain at least 1 of the following elements to identify "
                    "the contact: Name, ContactID, ContactNumber")
MISSING_CONTACT = "A Contact must be specified for this type of transaction"
UNKNOWN_CONTACT_ID = "An existing Contact with the specified ContactID could not be found"


def contact_reference(element: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any] | None:
    """The element's Contact (even an empty one, which is an error), else the stored one's
    id (only the id: the stored copy of its other fields may be stale, and must not count as
    an edit of the contact)."""
    if element.get("Contact") is not None:
        return element["Contact"]
    stored = (existing or {}).get("Contact")
    return {"ContactID": stored["ContactID"]} if stored else None


def resolve_contact(write: Write, reference: dict[str, Any] | None, *,
                    may_create: bool) -> tuple[dict[str, Any], bool]:
    """The contact an element's ``Contact`` names: by ContactID, else ContactNumber, else
    Name among active contacts. An unknown Name yields a new contact when ``may_create``;
    other contact fields sent along update the contact it names, as Xero's do. The second
    value says the contact is new or changed: the caller saves it if the document is valid."""
    if reference is None:
        raise Rejected(MISSING_CONTACT)
    contact_id = reference.get("ContactID")
    number = (reference.get("ContactNumber") or "").strip()
    name = (reference.get("Name") or "").strip()
    if contact_id:
        found = write.repo.get(contacts.KIND, contact_id)
        if found is None:
            raise Rejected(UNKNOWN_CONTACT_ID)
        return _with_updates(write, found, reference)
    if not number and not name:
        raise Rejected(IDENTIFY_CONTACT)
    found = (contacts.by_number(write.repo, number) if number else None) or \
        (contacts.by_name(write.repo, name) if name else None)
    if found is not None:
        return _with_updates(write, found, reference)
    if may_create and name:
        return contacts.new_from_reference(reference, write.now), True
    if may_create:
        raise Rejected(f"The contact with ContactNumber {number} could not be found.")
    raise Rejected("The contact could not be found. Purchase orders must reference an existing "
                   "contact by ContactID, ContactNumber or Name.")


def _with_updates(write: Write, found: dict[str, Any], reference: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    updates = {k: v for k, v in reference.items() if k != "ContactID" and v is not None}
    for key in ("Name", "ContactNumber"):  # the keys it was found by, up to case and spaces
        if key in updates and str(updates[key]).strip().casefold() == str(found.get(key) or "").strip().casefold():
            del updates[key]
    if not updates:
        return found, False
    changed = contacts.build(updates, found, write.now)
    if {**changed, "UpdatedDateUTC": None} == {**found, "UpdatedDateUTC": None}:
        return found, False
    problems = contacts.check(write.repo, updates, found)
    if problems:
        raise Rejected(*problems)
    return changed, True


def next_number(write: Write, counter: str, prefix: str, taken: set[str]) -> str:
    """``INV-0001`` style: the next of the organisation's sequence, continuing after the
    highest ``<prefix><digits>`` in use (``taken``, casefolded), however it got there.

    Xero's sequence takes "into account any invoices, credit notes, quotes or purchase orders
    generated" (Xero Central, "Change numbering on invoices, credit notes, quotes and purchase
    orders"): a number typed in by hand or sent by an app moves it on, so after INV-0041 the
    next is INV-0042, not a gap lower down (integrators observe the same: "Someone enters
    100005059 into Xero. The next available number is now 100005060", Connex support, "How do
    I use the next number from Xero?"). A number with something after its digits (INV-0001A)
    is not part of the sequence. Padded to 4 digits, unpadded past 9999.
    """
    folded = prefix.casefold()
    highest = max((int(number[len(folded):]) for number in taken
                   if number.startswith(folded) and number[len(folded):].isascii()
                   and number[len(folded):].isdigit()), default=0)
    while True:
        candidate = f"{prefix}{write.repo.next_counter(counter, above=highest):04d}"
        if candidate.casefold() not in taken:
            return candidate


def check_currency(write: Write, element: dict[str, Any]) -> None:
    """A document in a currency the organisation has not enabled (Settings > Currencies) is
    refused: "Organisation is not subscribed to currency EUR" (Xero's words, as integrators
    report them: Expensify's XRO068 help page, and apps that quote Xero's error)."""
    code = element.get("CurrencyCode")
    if code and not write.ref.takes_currency(str(code)):
        raise Rejected(f"Organisation is not subscribed to currency {code}")


def check_transition(current: str | None, wanted: str, allowed: dict[str, set[str]],
                     creatable: set[str], message: str) -> None:
    if current is None:
        if wanted not in creatable:
            raise Rejected(message)
        return
    if wanted not in allowed.get(current, set()):
        raise Rejected(message)


def set_date(doc: dict[str, Any], key: str, value: datetime | None, *, with_string: bool = True) -> None:
    if value is None:
        return
    moment = msdate.day(value)
    doc[key] = msdate.ms(moment)
    if with_string:
        doc[f"{key}String"] = msdate.iso_string(moment)


def prepare_lines(write: Write, existing_lines: list[dict[str, Any]], supplied: list[dict[str, Any]] | None,
                  *, side: str, allow_discount: bool, unitdp: int) -> list[dict[str, Any]]:
    """Merge supplied lines into the stored ones and check each; raises Rejected. The
    UnitAmounts this request writes are rounded to ``unitdp`` places; stored lines it does
    not reprice keep theirs."""
    if supplied is None:
        return [dict(line) for line in existing_lines]
    # Mark caller-set tax amounts (copies: the element itself may be echoed back in an error).
    supplied = [{**line, "_tax_supplied": True} if line.get("TaxAmount") is not None else line
                for line in lines.unit_amounts_at(supplied, unitdp)]
    merged = lines.merge_lines(existing_lines, supplied)
    problems: list[str] = []
    for line in merged:
        lines.fill_from_item(line, write.ref, side, unitdp)
        problems.extend(lines.check_line(line, write.ref, allow_discount=allow_discount,
                                         side="sales" if side == "SalesDetails" else "purchases"))
        _canonical_codes(write, line)
    if problems:
        raise Rejected(*problems)
    return merged


def _canonical_codes(write: Write, line: dict[str, Any]) -> None:
    account = write.ref.account(line.get("AccountCode"))
    if account:
        line["AccountCode"] = account["Code"]
        line["AccountID"] = account["AccountID"]
    rate = write.ref.tax_rate(line.get("TaxType"))
    if rate:
        line["TaxType"] = rate["TaxType"]
