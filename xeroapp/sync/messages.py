"""Xero's answers in plain words for the panel, and which field of ours Xero blamed."""
from __future__ import annotations

from datetime import datetime

from xeroapp.timezones import clock_time
from xeroapp.xero.errors import ValidationError, XeroError

NOUNS = {"client": "client", "supplier": "supplier", "invoice": "invoice",
         "purchase_order": "purchase order", "product": "product"}

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


def unreachable(exc: XeroError) -> str:
    return (f"Xero could not be reached: {exc} Nothing here was changed; "
            "try again in a moment.")


def search_refused(exc: XeroError, record_kind: str) -> str:
    """A lookup Xero's servers turned away as too long (QueryTooLong)."""
    return (f"Could not search Xero for this {noun(record_kind)}: {exc} Nothing was changed "
            "here or in Xero; try again.")


def rate_limited(resume_at: datetime, time_zone: str) -> str:
    return f"Waiting for Xero's rate limit: resumes at {clock_time(resume_at, time_zone)}."
