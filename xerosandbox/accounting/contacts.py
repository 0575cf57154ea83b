"""``/Contacts``: list, get by ContactID or ContactNumber, PUT (create), POST (upsert/update).

Rules beyond the spec's types and lengths (xero_accounting.yaml, components.schemas.Contact):
- Name is required on create and unique among ACTIVE contacts (archived ones don't count).
- POST matches an existing contact by ContactID, else by ContactNumber; PUT only creates.
- EmailAddress must look like an address ("Email address must be valid.").
- IsSupplier / IsCustomer are read-only: invoices and bills set them.
- MergedToContactID (set when a Xero user merges the contact into another) is "Only returned
  when using paging or when fetching a contact by ContactId or ContactNumber" (the spec's
  Contact schema), so a list without ``page`` leaves it out.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Response

from ..api import bp, requires_scope
from . import batch, listing, msdate
from .context import current_repo
from .envelope import envelope, not_found, translate_errors
from .repository import Repository

KIND = "contacts"
READ = ("accounting.contacts", "accounting.contacts.read")
WRITE = ("accounting.contacts",)

ADDRESS_TYPES = ("STREET", "POBOX")
PHONE_TYPES = ("DEFAULT", "DDI", "FAX", "MOBILE")
SUMMARY_DROPS = ("Addresses", "Phones", "ContactPersons", "ContactGroups", "SalesTrackingCategories",
                 "PurchasesTrackingCategories", "PaymentTerms", "BatchPayments", "Balances")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MERGED_BY_TYPE = {"Addresses": "AddressType", "Phones": "PhoneType"}


# -- reads ------------------------------------------------------------------------------------
@bp.get("/Contacts")
@requires_scope(*READ)
@translate_errors
def list_contacts() -> Response:
    repo = current_repo()
    docs = repo.all(KIND)
    if not listing.flag("includeArchived"):
        docs = [d for d in docs if d.get("ContactStatus") != "ARCHIVED"]
    docs = listing.keep_matching(docs, "ContactID", listing.uuid_values("IDs"))
    # searchTerm: "a case-insensitive text search across the Name, FirstName, LastName,
    # ContactNumber and EmailAddress fields" (spec: GET /Contacts, parameter searchTerm).
    term = (listing.arg("searchTerm") or "").strip().casefold()
    if term:
        docs = [d for d in docs if any(term in str(d.get(f) or "").casefold() for f in
                                       ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress"))]
    docs = listing.modified_since(docs)
    docs = listing.apply_where(docs, "Contact")
    docs = listing.apply_order(docs, "Contact")
    page, pagination = listing.paginate(docs)
    if listing.flag("summaryOnly"):
        page = [{k: v for k, v in d.items() if k not in SUMMARY_DROPS} for d in page]
    if pagination is None:
        page = [{k: v for k, v in d.items() if k != "MergedToContactID"} for d in page]
    return envelope("Contacts", page, pagination)


@bp.get("/Contacts/<key>")
@requires_scope(*READ)
@translate_errors
def get_contact(key: str) -> Response:
    doc = find(current_repo(), key)
    return envelope("Contacts", [doc]) if doc else not_found()


def find(repo: Repository, key: str) -> dict[str, Any] | None:
    """By ContactID when ``key`` is a GUID, else by ContactNumber (as Xero's two paths do)."""
    try:
        return repo.get(KIND, str(uuid.UUID(key)))
    except ValueError:
        return by_number(repo, key)


def by_number(repo: Repository, number: str) -> dict[str, Any] | None:
    return repo.first(KIND, _number_key, number.strip().casefold())


def by_name(repo: Repository, name: str) -> dict[str, Any] | None:
    """The active contact of that name (names are unique among active contacts only)."""
    return repo.first(KIND, _active_name_key, name.strip().casefold())


def _number_key(contact: dict[str, Any]) -> str:
    return (contact.get("ContactNumber") or "").casefold()


def _active_name_key(contact: dict[str, Any]) -> str | None:
    if contact.get("ContactStatus") != "ACTIVE":
        return None
    return contact.get("Name", "").strip().casefold()


# -- writes -----------------------------------------------------------------------------------
@bp.put("/Contacts")
@requires_scope(*WRITE)
@translate_errors
def create_contacts() -> Response:
    return batch.run("Contacts", "Contact", handle, mode="create")


@bp.post("/Contacts")
@requires_scope(*WRITE)
@translate_errors
def upsert_contacts() -> Response:
    return batch.run("Contacts", "Contact", handle, mode="upsert")


@bp.post("/Contacts/<contact_id>")
@requires_scope(*WRITE)
@translate_errors
def update_contact(contact_id: str) -> Response:
    existing = find(current_repo(), contact_id)
    if existing is None:
        return not_found()
    return batch.run("Contacts", "Contact", handle, mode="update",
                     url_id=existing["ContactID"], id_field="ContactID")


def handle(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    existing, errors = _target(write, element)
    if errors:
        return batch.Result(errors=errors)
    errors = check(write.repo, element, existing)
    if errors:
        return batch.Result(errors=errors)
    doc = build(element, existing, write.now)
    write.repo.save(KIND, doc["ContactID"], doc)
    return batch.Result(doc=doc)


def _target(write: batch.Write, element: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The stored contact this element updates (None: it creates one)."""
    contact_id = element.get("ContactID")
    if contact_id:
        existing = write.repo.get(KIND, contact_id)
        if write.mode == "create":  # PUT never updates; a new contact gets a new id
            return None, [f"A contact with the ContactID {contact_id} already exists."] if existing else []
        if existing is None:
            return None, ["An existing Contact with the specified ContactID could not be found"]
        return existing, []
    number = element.get("ContactNumber")
    if number:
        existing = by_number(write.repo, number)
        if existing is not None:
            if write.mode == "create":
                return None, [f"The contact number {number} is already assigned to another contact. "
                              "The contact number must be unique across all contacts."]
            return existing, []
    return None, []


def check(repo: Repository, element: dict[str, Any], existing: dict[str, Any] | None) -> list[str]:
    errors = []
    name = element.get("Name")
    if existing is None and not (name or "").strip():
        errors.append("The contact name must be specified.")
    final_name = (name if name is not None else (existing or {}).get("Name")) or ""
    final_status = element.get("ContactStatus") or (existing or {}).get("ContactStatus") or "ACTIVE"
    if final_name.strip() and final_status == "ACTIVE":
        clash = by_name(repo, final_name)
        if clash is not None and (existing is None or clash["ContactID"] != existing["ContactID"]):
            errors.append(f"The contact name {final_name} is already assigned to another contact. "
                          "The contact name must be unique across all active contacts.")
    email = element.get("EmailAddress")
    if email and not _EMAIL.match(email.strip()):
        errors.append("Email address must be valid.")
    for person in element.get("ContactPersons") or []:
        if person.get("EmailAddress") and not _EMAIL.match(person["EmailAddress"].strip()):
            errors.append("Email address must be valid.")
    return errors


def build(element: dict[str, Any], existing: dict[str, Any] | None, now: float) -> dict[str, Any]:
    """The stored/returned contact: the existing one with the supplied fields applied.

    As at Xero, an update changes only what it carries: a field left out (or null) keeps its
    value, and one sent as "" is cleared; an address or phone merges into the stored one of
    its type, so clearing a phone means sending its PhoneType with an empty PhoneNumber
    (github.com/calcinai/xero-php/issues/736, tried in Xero's API previewer)."""
    doc = dict(existing) if existing else new_contact()
    for key, value in element.items():
        if value is None or key == "ContactID":
            continue
        if key in _MERGED_BY_TYPE:
            doc[key] = _merge_typed(doc.get(key) or [], value, _MERGED_BY_TYPE[key])
        elif isinstance(value, (str, bool, int, float, list, dict)):
            doc[key] = value
    doc["UpdatedDateUTC"] = msdate.ms_from_epoch(now)
    return doc


def new_contact() -> dict[str, Any]:
    return {
        "ContactID": str(uuid.uuid4()),
        "ContactStatus": "ACTIVE",
        "Name": "",
        "BankAccountDetails": "",
        "Addresses": [{"AddressType": t, "City": "", "Region": "", "PostalCode": "", "Country": "",
                       "AttentionTo": ""} for t in ADDRESS_TYPES],
        "Phones": [{"PhoneType": t, "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""}
                   for t in PHONE_TYPES],
        "ContactGroups": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "SalesTrackingCategories": [],
        "PurchasesTrackingCategories": [],
        "ContactPersons": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
    }


def _merge_typed(current: list[dict[str, Any]], supplied: list[dict[str, Any]], type_key: str) -> list[dict[str, Any]]:
    """Addresses/Phones: a supplied entry replaces the stored one of the same type."""
    merged = {entry.get(type_key): dict(entry) for entry in current}
    for entry in supplied:
        clean = {k: v for k, v in entry.items() if v is not None}
        merged[clean.get(type_key)] = {**merged.get(clean.get(type_key), {}), **clean}
    return list(merged.values())


def new_from_reference(reference: dict[str, Any], now: float) -> dict[str, Any]:
    """An invoice naming an unknown contact creates it (Xero does; the PO endpoint does not)."""
    element = {k: v for k, v in reference.items() if k != "ContactID" and v is not None}
    return build(element, None, now)


def mark_role(repo: Repository, contact_id: str, role: str) -> None:
    """Set IsCustomer / IsSupplier without touching UpdatedDateUTC (as Xero does)."""
    doc = repo.get(KIND, contact_id)
    if doc is not None and not doc.get(role):
        doc[role] = True
        repo.save(KIND, contact_id, doc)


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """The contact as embedded in an invoice or purchase order."""
    keys = ("ContactID", "ContactNumber", "ContactStatus", "Name", "FirstName", "LastName",
            "EmailAddress", "HasValidationErrors")
    return {k: doc[k] for k in keys if doc.get(k) is not None}
