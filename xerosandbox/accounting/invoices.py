"""``/Invoices``: sales invoices (ACCREC) and bills (ACCPAY).

Rules beyond the spec's types and lengths (xero_accounting.yaml, components.schemas.Invoice):
- Type, Contact and LineItems are required on create; Status defaults to DRAFT.
- ACCREC InvoiceNumber is unique ("Invoice # must be unique.") and auto-numbered INV-0001...
  when missing; ACCPAY numbers are the supplier's and need not be unique.
- PUT only creates: an ACCREC number already held is refused ("Invoice # must be unique.").
  POST on the collection is update-or-create: an element without InvoiceID whose
  InvoiceNumber an ACCREC invoice already holds UPDATES that invoice (whoever made it), or
  is refused with the status rule below when that invoice can no longer be edited. Sources:
  xeroizer pull request 121 ("If I POST a new invoice with that same invoice number it will
  update the existing invoice"; PUT "responds with a validation error"), and
  github.com/XeroAPI/Xero-NetStandard/issues/127 (POST /Invoices is "updateOrCreateInvoices":
  "if the invoice exists then update, if it does not exist, then create it").
- Status transitions: DRAFT -> DRAFT/SUBMITTED/AUTHORISED/DELETED,
  SUBMITTED -> SUBMITTED/DRAFT/AUTHORISED/DELETED, AUTHORISED -> AUTHORISED/VOIDED;
  PAID, VOIDED and DELETED invoices cannot be modified ("Invoice not of valid status for
  modification"). PAID is only ever set by Xero, when payments (payments.py) cover the total.
- An invoice with payments (part paid, or PAID) cannot be changed through the API at all, not
  even its Reference: "This document cannot be edited as it has a payment or credit note
  allocated to it." (github.com/XeroAPI/Xero-NetStandard/issues/84, a Reference-only update
  refused; xero.uservoice.com/forums/5528-accounting-api/suggestions/49050935: "we can't edit
  anything via the API" once a bill is paid, though Xero's screens still allow a few fields).
  A PAID invoice answers that with "Invoice not of valid status for modification" before it,
  as integrators quote the pair (Actionstep's Xero troubleshooting page). Voiding needs the payments removed first (Xero Help,
  help.xero.com/Help/Payments_EditDeleteInvoice.htm: "can only void if no payment(s)
  attached - delete payment first").
- An unknown contact Name creates the contact, as Xero does; other contact fields sent with
  the invoice update the contact (a client sends only ContactID to avoid that).
- DiscountRate only on ACCREC; AccountCode, TaxType and ItemCode must exist, and the TaxType
  must fit the line (documents.prepare_lines); CurrencyCode must be one the organisation has
  enabled (documents.check_currency).
- UnitAmount to 2 dp unless the request carries ``unitdp=4``, on writes and reads alike
  (lines.py says how, and where Xero documents it).
- Lists without ``page`` leave out LineItems (Xero returns them only when paging or when one
  invoice is asked for) but keep Payments, AmountPaid and AmountDue (the spec's GET /Invoices
  example); ``summaryOnly=true`` leaves out Payments, CreditNotes, Prepayments and
  Overpayments too.
- ``createdByMyApp=true`` lists only the invoices the calling app created (the spec's GET
  /Invoices parameter: "When set to true you'll only retrieve Invoices created by your app";
  xeroizer pull request 414 shows it in use). The creating app is kept on the stored invoice
  and never shown in answers.
"""
from __future__ import annotations

import uuid
from typing import Any

from flask import Response, g

from ..api import bp, requires_scope
from . import batch, contacts, documents, lines, listing, msdate
from .context import current_repo
from .documents import Rejected
from .envelope import envelope, not_found, translate_errors
from .repository import Repository

KIND = "invoices"
READ = ("accounting.transactions", "accounting.transactions.read", "accounting.invoices",
        "accounting.invoices.read")
WRITE = ("accounting.transactions", "accounting.invoices")

ALLOWED = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "DRAFT", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
}
CREATABLE = {"DRAFT", "SUBMITTED", "AUTHORISED"}
NOT_MODIFIABLE = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."

# Stored with each invoice, never shown: the app (client_id) that created it.
CREATED_BY = "_created_by_app"
SUMMARY_DROPS = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")


# -- reads ------------------------------------------------------------------------------------
@bp.get("/Invoices")
@requires_scope(*READ)
@translate_errors
def list_invoices() -> Response:
    repo = current_repo()
    repo.all(contacts.KIND)  # one read of the contacts, not one per document
    unitdp = listing.unitdp()
    stored = repo.all(KIND)
    if listing.flag("createdByMyApp"):
        stored = [d for d in stored if d.get(CREATED_BY) == getattr(g, "client_id", None)]
    docs = [lines.shown_at(render(repo, d), unitdp) for d in stored]
    docs = listing.keep_matching(docs, "InvoiceID", listing.uuid_values("IDs"))
    docs = listing.keep_matching(docs, "InvoiceNumber", listing.csv_values("InvoiceNumbers"), str.casefold)
    statuses = {s.upper() for s in listing.csv_values("Statuses")}
    if statuses:
        docs = [d for d in docs if d.get("Status") in statuses]
    contact_ids = set(listing.uuid_values("ContactIDs"))
    if contact_ids:
        docs = [d for d in docs if d["Contact"].get("ContactID") in contact_ids]
    term = (listing.arg("searchTerm") or "").strip().casefold()
    if term:
        docs = [d for d in docs if any(term in str(d.get(f) or "").casefold()
                                       for f in ("InvoiceNumber", "Reference"))]
    docs = listing.modified_since(docs)
    docs = listing.apply_where(docs, "Invoice")
    docs = listing.apply_order(docs, "Invoice")
    page, pagination = listing.paginate(docs)
    if listing.flag("summaryOnly"):
        page = [{k: v for k, v in d.items() if k not in SUMMARY_DROPS} for d in page]
    elif pagination is None:
        page = [{k: v for k, v in d.items() if k != "LineItems"} for d in page]
    return envelope("Invoices", page, pagination)


@bp.get("/Invoices/<key>")
@requires_scope(*READ)
@translate_errors
def get_invoice(key: str) -> Response:
    repo = current_repo()
    doc = find(repo, key)
    if doc is None:
        return not_found()
    return envelope("Invoices", [lines.shown_at(render(repo, doc), listing.unitdp())])


def find(repo: Repository, key: str) -> dict[str, Any] | None:
    """By InvoiceID when ``key`` is a GUID, else by InvoiceNumber."""
    try:
        return repo.get(KIND, str(uuid.UUID(key)))
    except ValueError:
        return repo.first(KIND, _number_key, key.strip().casefold())


def _number_key(invoice: dict[str, Any]) -> str:
    return (invoice.get("InvoiceNumber") or "").casefold()


def _sales_number_key(invoice: dict[str, Any]) -> str | None:
    """Sales invoices' numbers are unique; bills' are the supplier's and may repeat."""
    return _number_key(invoice) if invoice.get("Type") == "ACCREC" else None


def render(repo: Repository, doc: dict[str, Any]) -> dict[str, Any]:
    """The stored invoice with its contact as it is now (name changes show through)."""
    contact = repo.get(contacts.KIND, doc["Contact"]["ContactID"])
    shown = {k: v for k, v in doc.items() if k != CREATED_BY}
    return {**shown, "Contact": contacts.summary(contact) if contact else doc["Contact"]}


# -- writes -----------------------------------------------------------------------------------
@bp.put("/Invoices")
@requires_scope(*WRITE)
@translate_errors
def create_invoices() -> Response:
    return batch.run("Invoices", "Invoice", handle, mode="create")


@bp.post("/Invoices")
@requires_scope(*WRITE)
@translate_errors
def upsert_invoices() -> Response:
    return batch.run("Invoices", "Invoice", handle, mode="upsert")


@bp.post("/Invoices/<key>")
@requires_scope(*WRITE)
@translate_errors
def update_invoice(key: str) -> Response:
    existing = find(current_repo(), key)
    if existing is None:
        return not_found()
    return batch.run("Invoices", "Invoice", handle, mode="update",
                     url_id=existing["InvoiceID"], id_field="InvoiceID")


def handle(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    existing = None
    invoice_id = element.get("InvoiceID")
    if invoice_id and write.mode != "create":
        existing = write.repo.get(KIND, invoice_id)
        if existing is None:
            return batch.Result(errors=["An existing Invoice with the specified InvoiceID could not be found"])
    elif write.mode == "upsert":
        existing = _holder_of_number(write.repo, element)
    try:
        doc, contact_to_save = build(write, element, existing)
    except Rejected as rejected:
        return batch.Result(errors=rejected.messages)
    if contact_to_save is not None:
        write.repo.save(contacts.KIND, contact_to_save["ContactID"], contact_to_save)
    write.repo.save(KIND, doc["InvoiceID"], doc)
    role = "IsCustomer" if doc["Type"] == "ACCREC" else "IsSupplier"
    contacts.mark_role(write.repo, doc["Contact"]["ContactID"], role)
    return batch.Result(doc=lines.shown_at(render(write.repo, doc), write.unitdp))


def _holder_of_number(repo: Repository, element: dict[str, Any]) -> dict[str, Any] | None:
    """POST /Invoices without InvoiceID: the ACCREC invoice already holding the element's
    InvoiceNumber, which Xero then updates instead of refusing the number (see the module
    docstring for the sources). Bills' numbers are not unique, so they never match."""
    number = (element.get("InvoiceNumber") or "").strip().casefold()
    if not number or element.get("Type") not in (None, "ACCREC"):
        return None
    return repo.first(KIND, _sales_number_key, number)


def build(write: batch.Write, element: dict[str, Any],
          existing: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The invoice to store, and a contact to save with it (new or changed, else None);
    raises Rejected with every rule the element breaks."""
    current = existing.get("Status") if existing else None
    wanted = element.get("Status") or current or "DRAFT"
    if existing is not None and existing.get("Payments"):
        raise Rejected(*([NOT_MODIFIABLE] if current == "PAID" else []), HAS_PAYMENTS)
    documents.check_transition(current, wanted, ALLOWED, CREATABLE, NOT_MODIFIABLE)
    if existing is not None and wanted in ("DELETED", "VOIDED"):
        return _stamp({**existing, "Status": wanted, "AmountDue": 0.0}, write), None
    type_ = _type(element, existing)
    doc = dict(existing) if existing else _new_invoice(type_, write)
    doc["Status"] = wanted
    errors: list[str] = []
    contact, changed = documents.collect(errors, lambda: documents.resolve_contact(
        write, documents.contact_reference(element, existing), may_create=True)) or (None, False)
    if contact is not None:
        doc["Contact"] = contacts.summary(contact)
    documents.collect(errors, lambda: _number(write, element, doc, existing))
    _header(write, element, doc, fresh=existing is None)
    documents.collect(errors, lambda: documents.check_currency(write, element))
    merged = documents.collect(errors, lambda: _lines(write, element, doc, type_))
    if errors:
        raise Rejected(*errors)
    computed, totals = lines.compute(merged, doc["LineAmountTypes"], write.ref,
                                     side="sales" if type_ == "ACCREC" else "purchases")
    doc["LineItems"] = computed
    doc.update(totals)
    doc["IsDiscounted"] = totals["TotalDiscount"] > 0
    doc["AmountDue"] = float(lines.money(totals["Total"]) - lines.money(doc.get("AmountPaid", 0))
                             - lines.money(doc.get("AmountCredited", 0)))
    return _stamp(doc, write), (contact if changed else None)


def _new_invoice(type_: str, write: batch.Write) -> dict[str, Any]:
    return {"Type": type_, "InvoiceID": str(uuid.uuid4()), CREATED_BY: getattr(g, "client_id", None),
            "Payments": [], "CreditNotes": [],
            "Prepayments": [], "Overpayments": [], "AmountPaid": 0.0, "AmountCredited": 0.0,
            "SentToContact": False, "CurrencyRate": 1.0, "HasAttachments": False, "HasErrors": False,
            "CurrencyCode": write.ref.currency}


def _header(write: batch.Write, element: dict[str, Any], doc: dict[str, Any], *, fresh: bool) -> None:
    """Plain fields, dates (Date defaults to the organisation's today) and LineAmountTypes."""
    for key in ("Reference", "Url", "BrandingThemeID", "CurrencyCode", "CurrencyRate", "SentToContact"):
        if element.get(key) is not None:
            doc[key] = element[key]
    documents.set_date(doc, "Date", element.get("Date") or (write.ref.today(write.now) if fresh else None))
    documents.set_date(doc, "DueDate", element.get("DueDate"))
    for key in ("ExpectedPaymentDate", "PlannedPaymentDate"):
        documents.set_date(doc, key, element.get(key), with_string=False)
    doc["LineAmountTypes"] = element.get("LineAmountTypes") or doc.get("LineAmountTypes") or "Exclusive"


def _lines(write: batch.Write, element: dict[str, Any], doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    merged = documents.prepare_lines(write, doc.get("LineItems") or [], element.get("LineItems"),
                                     side="SalesDetails" if type_ == "ACCREC" else "PurchaseDetails",
                                     allow_discount=type_ == "ACCREC", unitdp=write.unitdp)
    if not merged:
        raise Rejected("At least one line item is required.")
    return merged


def _type(element: dict[str, Any], existing: dict[str, Any] | None) -> str:
    if existing is not None:
        return existing["Type"]
    type_ = element.get("Type")
    if not type_:
        raise Rejected("Invoice Type must be specified.")
    if type_ not in ("ACCREC", "ACCPAY"):
        raise Rejected(f"Invoice Type '{type_}' cannot be used on the Invoices endpoint.")
    return type_


def _number(write: batch.Write, element: dict[str, Any], doc: dict[str, Any],
            existing: dict[str, Any] | None) -> None:
    number = (element.get("InvoiceNumber") or "").strip()
    if doc["Type"] != "ACCREC":
        if number:
            doc["InvoiceNumber"] = number
        return
    if number:
        holders = write.repo.holders(KIND, _sales_number_key, number.casefold())
        if any(other["InvoiceID"] != doc["InvoiceID"] for other in holders):
            raise Rejected("Invoice # must be unique.")
        doc["InvoiceNumber"] = number
    elif existing is None or not doc.get("InvoiceNumber"):
        taken = write.repo.values(KIND, _sales_number_key)
        doc["InvoiceNumber"] = documents.next_number(write, "invoice_number", "INV-", taken)


def _stamp(doc: dict[str, Any], write: batch.Write) -> dict[str, Any]:
    doc["UpdatedDateUTC"] = msdate.ms_from_epoch(write.now)
    doc["UpdatedDateUTCString"] = msdate.utc_string(write.now)
    return doc


def set_status(repo: Repository, doc: dict[str, Any], status: str, now: float) -> dict[str, Any]:
    """Xero-side status change (a user approving, paying or voiding in Xero's UI)."""
    doc = dict(doc)
    doc["Status"] = status
    if status == "PAID":
        doc["AmountPaid"] = doc.get("Total", 0.0)
        doc["AmountDue"] = 0.0
        doc["FullyPaidOnDate"] = msdate.ms(msdate.today(now))
    doc["UpdatedDateUTC"] = msdate.ms_from_epoch(now)
    doc["UpdatedDateUTCString"] = msdate.utc_string(now)
    repo.save(KIND, doc["InvoiceID"], doc)
    return doc
