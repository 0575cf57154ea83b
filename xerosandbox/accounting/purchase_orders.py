"""``/PurchaseOrders``: list (Status, DateFrom, DateTo, order, page: the spec has no
``where``), get by PurchaseOrderID or PurchaseOrderNumber, PUT, POST, POST /{id}.

Rules beyond the spec's types and lengths (xero_accounting.yaml,
components.schemas.PurchaseOrder):
- Contact must already exist: "The PurchaseOrders endpoint does not create new contacts".
- At least one line item; PurchaseOrderNumber unique ("Order number must be unique"),
  auto-numbered PO-0001... when missing; Status defaults to DRAFT.
- PUT only creates (a number already held is refused as above). POST on the collection is
  update-or-create: an element without PurchaseOrderID whose PurchaseOrderNumber an order
  already holds UPDATES that order (or is refused by the status rule below when it can no
  longer be edited), as POST /Invoices does by InvoiceNumber (xeroizer pull request 121;
  github.com/XeroAPI/Xero-NetStandard/issues/127: POST is "update or create", PUT is
  create-only).
- Transitions: DRAFT/SUBMITTED -> DRAFT/SUBMITTED/AUTHORISED/DELETED,
  AUTHORISED -> AUTHORISED/BILLED/DELETED; BILLED and DELETED orders cannot be edited.
- SentToContact on an order that is not AUTHORISED/BILLED is ignored with the spec's warning.
- Unit amounts keep 4 dp: the spec gives /PurchaseOrders no ``unitdp`` parameter (lines.py).
- CurrencyCode must be enabled in the organisation; a line's TaxType must exist and be a
  purchase rate (or fit its account), as on bills.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Response

from ..api import bp, requires_scope
from . import batch, contacts, documents, lines, listing, msdate
from .context import current_repo
from .documents import Rejected
from .envelope import envelope, not_found, translate_errors
from .repository import Repository

KIND = "purchaseorders"
READ = ("accounting.transactions", "accounting.transactions.read", "accounting.invoices",
        "accounting.invoices.read")
WRITE = ("accounting.transactions", "accounting.invoices")

ALLOWED = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "BILLED", "DELETED"},
}
CREATABLE = {"DRAFT", "SUBMITTED", "AUTHORISED"}
NOT_MODIFIABLE = "Purchase Order not of valid status for modification"
SENT_WARNING = "Only AUTHORISED and BILLED purchase orders may have SentToContact updated."
DELIVERY_INSTRUCTIONS_MAX = 500


@bp.get("/PurchaseOrders")
@requires_scope(*READ)
@translate_errors
def list_purchase_orders() -> Response:
    repo = current_repo()
    repo.all(contacts.KIND)  # one read of the contacts, not one per document
    docs = [render(repo, d) for d in repo.all(KIND)]
    status = (listing.arg("Status") or "").strip().upper()
    if status:
        docs = [d for d in docs if d.get("Status") == status]
    date_from, date_to = _date_param("DateFrom"), _date_param("DateTo")
    if date_from or date_to:
        docs = [d for d in docs if _within(d, date_from, date_to)]
    docs = listing.modified_since(docs)
    docs = listing.apply_order(docs, "PurchaseOrder")
    page, pagination = listing.paginate(docs)
    return envelope("PurchaseOrders", page, pagination)


def _date_param(name: str) -> datetime | None:
    value = listing.arg(name)
    if not value:
        return None
    try:
        return msdate.day(msdate.parse(value))
    except ValueError:
        raise listing.BadParameter(
            f"Supplied parameter '{name}' cannot be parsed - must be of type DateTime.") from None


def _within(doc: dict[str, Any], date_from: datetime | None, date_to: datetime | None) -> bool:
    when = msdate.parse_ms(doc.get("Date"))
    if when is None:
        return False
    return (date_from is None or when >= date_from) and (date_to is None or when <= date_to)


@bp.get("/PurchaseOrders/<key>")
@requires_scope(*READ)
@translate_errors
def get_purchase_order(key: str) -> Response:
    repo = current_repo()
    doc = find(repo, key)
    return envelope("PurchaseOrders", [render(repo, doc)]) if doc else not_found()


def find(repo: Repository, key: str) -> dict[str, Any] | None:
    try:
        return repo.get(KIND, str(uuid.UUID(key)))
    except ValueError:
        return repo.first(KIND, _number_key, key.strip().casefold())


def _number_key(order: dict[str, Any]) -> str:
    return (order.get("PurchaseOrderNumber") or "").casefold()


def render(repo: Repository, doc: dict[str, Any]) -> dict[str, Any]:
    contact = repo.get(contacts.KIND, doc["Contact"]["ContactID"])
    return {**doc, "Contact": contacts.summary(contact) if contact else doc["Contact"]}


@bp.put("/PurchaseOrders")
@requires_scope(*WRITE)
@translate_errors
def create_purchase_orders() -> Response:
    return batch.run("PurchaseOrders", "PurchaseOrder", handle, mode="create")


@bp.post("/PurchaseOrders")
@requires_scope(*WRITE)
@translate_errors
def upsert_purchase_orders() -> Response:
    return batch.run("PurchaseOrders", "PurchaseOrder", handle, mode="upsert")


@bp.post("/PurchaseOrders/<key>")
@requires_scope(*WRITE)
@translate_errors
def update_purchase_order(key: str) -> Response:
    existing = find(current_repo(), key)
    if existing is None:
        return not_found()
    return batch.run("PurchaseOrders", "PurchaseOrder", handle, mode="update",
                     url_id=existing["PurchaseOrderID"], id_field="PurchaseOrderID")


def handle(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    existing = None
    order_id = element.get("PurchaseOrderID")
    if order_id and write.mode != "create":
        existing = write.repo.get(KIND, order_id)
        if existing is None:
            return batch.Result(errors=["The document with the supplied id was not found for this endpoint."])
    elif write.mode == "upsert":
        existing = _holder_of_number(write.repo, element)
    warnings: list[str] = []
    try:
        doc, contact_to_save = build(write, element, existing, warnings)
    except Rejected as rejected:
        return batch.Result(errors=rejected.messages)
    if contact_to_save is not None:
        write.repo.save(contacts.KIND, contact_to_save["ContactID"], contact_to_save)
    write.repo.save(KIND, doc["PurchaseOrderID"], doc)
    return batch.Result(doc=render(write.repo, doc), warnings=warnings)


def _holder_of_number(repo: Repository, element: dict[str, Any]) -> dict[str, Any] | None:
    """POST /PurchaseOrders without PurchaseOrderID: the order already holding the element's
    PurchaseOrderNumber, which Xero then updates instead of refusing the number."""
    number = (element.get("PurchaseOrderNumber") or "").strip().casefold()
    if not number:
        return None
    return repo.first(KIND, _number_key, number)


def build(write: batch.Write, element: dict[str, Any], existing: dict[str, Any] | None,
          warnings: list[str]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The order to store, and its contact if the element changed it; raises Rejected with
    every rule the element breaks."""
    current = existing.get("Status") if existing else None
    wanted = element.get("Status") or current or "DRAFT"
    documents.check_transition(current, wanted, ALLOWED, CREATABLE, NOT_MODIFIABLE)
    if existing is not None and wanted in ("DELETED", "BILLED") and wanted != current:
        return _stamp({**existing, "Status": wanted}, write), None
    doc = dict(existing) if existing else _new_order(write)
    doc["Status"] = wanted
    errors: list[str] = []
    found = documents.collect(errors, lambda: documents.resolve_contact(
        write, documents.contact_reference(element, existing), may_create=False))
    contact, changed = found or (None, False)
    if contact is not None:
        doc["Contact"] = contacts.summary(contact)
    documents.collect(errors, lambda: _number(write, element, doc))
    errors.extend(_header(write, element, doc, warnings, fresh=existing is None))
    documents.collect(errors, lambda: documents.check_currency(write, element))
    merged = documents.collect(errors, lambda: _lines(write, element, doc))
    if errors:
        raise Rejected(*errors)
    computed, totals = lines.compute(merged, doc["LineAmountTypes"], write.ref, side="purchases")
    doc["LineItems"] = computed
    doc.update(totals)
    return _stamp(doc, write), (contact if changed else None)


def _new_order(write: batch.Write) -> dict[str, Any]:
    return {"PurchaseOrderID": str(uuid.uuid4()), "Type": "PURCHASEORDER", "SentToContact": False,
            "CurrencyRate": 1.0, "HasAttachments": False, "CurrencyCode": write.ref.currency}


def _header(write: batch.Write, element: dict[str, Any], doc: dict[str, Any], warnings: list[str], *,
            fresh: bool) -> list[str]:
    """Plain fields, SentToContact, dates and LineAmountTypes; returns the errors found."""
    for key in ("Reference", "BrandingThemeID", "CurrencyCode", "CurrencyRate", "DeliveryAddress",
                "AttentionTo", "Telephone", "DeliveryInstructions"):
        if element.get(key) is not None:
            doc[key] = element[key]
    if element.get("SentToContact") is not None:
        if doc["Status"] in ("AUTHORISED", "BILLED"):
            doc["SentToContact"] = element["SentToContact"]
        else:
            warnings.append(SENT_WARNING)
    documents.set_date(doc, "Date", element.get("Date") or (write.ref.today(write.now) if fresh else None))
    documents.set_date(doc, "DeliveryDate", element.get("DeliveryDate"))
    documents.set_date(doc, "ExpectedArrivalDate", element.get("ExpectedArrivalDate"))
    doc["LineAmountTypes"] = element.get("LineAmountTypes") or doc.get("LineAmountTypes") or "Exclusive"
    if len(doc.get("DeliveryInstructions") or "") > DELIVERY_INSTRUCTIONS_MAX:
        return [f"DeliveryInstructions must not be more than {DELIVERY_INSTRUCTIONS_MAX} characters long."]
    return []


def _lines(write: batch.Write, element: dict[str, Any], doc: dict[str, Any]) -> list[dict[str, Any]]:
    merged = documents.prepare_lines(write, doc.get("LineItems") or [], element.get("LineItems"),
                                     side="PurchaseDetails", allow_discount=True,
                                     # No unitdp on /PurchaseOrders in the spec: an order's
                                     # unit amounts keep 4 dp whatever the query says.
                                     unitdp=lines.STORED_UNIT_DP)
    if not merged:
        raise Rejected("The purchase order must have at least one line item.")
    return merged


def _number(write: batch.Write, element: dict[str, Any], doc: dict[str, Any]) -> None:
    number = (element.get("PurchaseOrderNumber") or "").strip()
    if number:
        holders = write.repo.holders(KIND, _number_key, number.casefold())
        if any(other["PurchaseOrderID"] != doc["PurchaseOrderID"] for other in holders):
            raise Rejected("Order number must be unique")
        doc["PurchaseOrderNumber"] = number
    elif not doc.get("PurchaseOrderNumber"):
        taken = write.repo.values(KIND, _number_key)
        doc["PurchaseOrderNumber"] = documents.next_number(write, "purchase_order_number", "PO-",
                                                           taken)


def _stamp(doc: dict[str, Any], write: batch.Write) -> dict[str, Any]:
    doc["UpdatedDateUTC"] = msdate.ms_from_epoch(write.now)
    return doc


def set_status(repo: Repository, doc: dict[str, Any], status: str, now: float) -> dict[str, Any]:
    """Xero-side status change (a user approving or billing the order in Xero's UI)."""
    doc = {**doc, "Status": status, "UpdatedDateUTC": msdate.ms_from_epoch(now)}
    repo.save(KIND, doc["PurchaseOrderID"], doc)
    return doc
