"""Xero's answers in plain words for the panel, and which field of ours Xero blamed."""
from __future__ import annotations

from datetime import datetime

from xeroapp.timezones import clock_time
from xeroapp.xero.errors import ValidationError, XeroError

NOUNS = {"client": "client", "supplier": "supplier", "invoice": "invoice",
         "purchase_order": "purchase order", "product": "product",
         "missing_products": "set of products"}

# Phrases in Xero's validation messages -> the field as our forms call it.
FIELD_HINTS = (
    ("invoice #", "Number"),
    ("order number", "Number"),
    ("invoicenumber", "Number"),
    ("contact name", "Name"),
    ("email address", "Email"),
    ("account code", "Account code"),
    ("accountcode", "Account code"),
    ("taxtype", "Tax rate"),
    ("tax type", "Tax rate"),
    ("item code", "Product"),
    ("currency", "Currency"),
    ("due date", "Due date"),
    ("duedate", "Due date"),
    ("discount", "Discount %"),
    ("description", "Description"),
    ("quantity", "Quantity"),
    ("unitamount", "Unit price"),
    ("contact number", "Contact code"),
    ("reference", "Reference"),
    ("name", "Name"),
)


def noun(record_kind: str) -> str:
    return NOUNS.get(record_kind, "record")


def blamed_field(messages: list[str]) -> str | None:
    for message in messages:
        text = message.lower()
        for phrase, field in FIELD_HINTS:
            if phrase in text:
                return field
    return None


def validation(exc: ValidationError, record_kind: str) -> tuple[str, str | None]:
    messages = exc.messages or [str(exc)]
    text = " ".join(m if m.endswith(".") else m + "." for m in dict.fromkeys(messages))
    return (f"Xero did not accept this {noun(record_kind)}: {text} "
            "Correct it here and try again.", blamed_field(messages))


# The label of the number field on each document's form.
NUMBER_FIELDS = {"invoice": "Invoice number", "purchase_order": "Number"}


def number_clash(record_kind: str, number: str, clash_words: list[str], other_words: list[str],
                 numbered_by_xero: bool) -> str:
    """Xero already holds ``number``: say which number, and exactly where to change it
    (``other_words``: anything else Xero said about the same document)."""
    the = noun(record_kind)
    field = NUMBER_FIELDS.get(record_kind, "Number")
    said = " ".join(dict.fromkeys(clash_words))
    text = (f"Xero already has {'an' if the[0] in 'aeiou' else 'a'} {the} numbered {number} "
            f"(Xero said “{said}”). To send this one, open its Edit page and change the "
            f"{field} field from {number} to a number Xero does not have yet")
    if numbered_by_xero:
        text += ", or leave it empty so that Xero gives it the next number of its own sequence"
    text += ", then send it again."
    if other_words:
        text += " Xero also said: " + " ".join(
            m if m.endswith(".") else m + "." for m in dict.fromkeys(other_words))
    return text


def number_held_closed(record_kind: str, number: str, party: str, status: str) -> str:
    """Xero holds ``number`` for this same contact, but no longer open (approved, paid ...):
    it may well be this very document, sent before and approved in Xero since. Renumbering
    and sending again would then put it in Xero twice, so that advice is given only for the
    case where the user knows it is a different document."""
    the = noun(record_kind)
    field = NUMBER_FIELDS.get(record_kind, "Number")
    if status in ("VOIDED", "DELETED"):  # Xero keeps the number on the voided/deleted one
        return (f"Xero keeps the number {number} on the {status.lower()} {the}, so it will not "
                f"take it for a new one. Open this {the}'s Edit page, change the {field} field "
                f"to a number Xero does not have yet, and send it again.")
    return (f"Xero already has {number} for this {party}, and it is {status} there, so it was "
            f"left as it is. If that is this {the} (sent before and approved in Xero since), it "
            f"is in Xero already: do not change its number or send it again, or Xero will hold "
            f"it twice. Only if it is a different {the}: open this one's Edit page, change the "
            f"{field} field from {number} to a number Xero does not have yet, and send it again.")


def gave_up(exc: XeroError, attempts: int, record_kind: str, action: str) -> str:
    """The last attempt met a passing fault too (5xx, timeout, dropped connection).

    A create that timed out or lost its answer may well be in Xero (Xero saves before it
    answers), and any earlier attempt may have been the one that reached it: so never
    "nothing was changed", never "change the number" or "create it again", which would make
    a second copy. Try again is the safe way: a create that meets its own earlier copy in
    Xero links it (the same Idempotency-Key replays it; a number Xero already holds for our
    contact is adopted; a contact is found by our ContactNumber) instead of making another.
    """
    the = noun(record_kind)
    said = f"Xero could not be reached after {attempts} attempts: {exc}"
    if record_kind == "missing_products":  # the dialog's button is the way to try again
        return (f"{said} Xero may have created some of these products all the same. Pressing "
                "“Create in Xero and save” again is safe: products Xero already has are "
                "linked, not created twice.")
    if action == "update":
        return (f"{said} Your changes to this {the} may or may not have reached Xero. Pressing "
                f"Try again sends them again to the same {the} in Xero; it does not make a copy.")
    return (f"{said} This {the} may have reached Xero all the same, before an answer was lost. "
            f"Pressing Try again is safe: if Xero has it, the app recognises its own copy and "
            f"links it instead of creating a second one. Do not enter it again, here or in Xero.")


def unexpected(record_kind: str) -> str:
    """Something failed on our side (a bug, the database) during a push: Xero may have taken
    part of it, and Try again links whatever it did take."""
    return (f"Something went wrong on our side while sending this {noun(record_kind)} to Xero. "
            "Try again in a moment: if part of it already reached Xero, the app links that "
            "copy instead of sending a second one.")


def search_refused(exc: XeroError, record_kind: str) -> str:
    """A lookup Xero's servers turned away as too long (QueryTooLong)."""
    return (f"Could not search Xero for this {noun(record_kind)}: {exc} The search was "
            "refused, so the app could not check what Xero holds; try again.")


def rate_limited(resume_at: datetime, time_zone: str) -> str:
    return f"Waiting for Xero's rate limit: resumes at {clock_time(resume_at, time_zone)}."
