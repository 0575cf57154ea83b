"""``POST /_sandbox/objects/<tenant_id>/<kind>/<id>/<action>``: what a Xero user does in Xero's
own screens, for tests and benchmarks of syncing back from Xero (off unless control is on).

Each action applies Xero's rules and answers as the API would show the result:
``{"Invoices": [...]}``, ``{"PurchaseOrders": [...]}``, ``{"Contacts": [...]}`` (a payment:
``{"Payments": [...], "Invoices": [...]}``); a refused one answers 400 ValidationException
with the object echoed and Xero's message in its ValidationErrors. Every change stamps
UpdatedDateUTC with the sandbox clock, so If-Modified-Since and webhooks see it.

invoices (Xero Help, help.xero.com/Help/Payments_EditDeleteInvoice.htm):
- ``submit``   DRAFT -> SUBMITTED (awaiting approval)
- ``approve``  DRAFT/SUBMITTED -> AUTHORISED (awaiting payment)
- ``pay``      ``{"Amount"?, "Date"?, "Reference"?, "Account"?: {"Code"} | {"AccountID"}}``:
               a payment (payments.py); Amount defaults to the amount due, Date to the
               organisation's today, Account to its first bank account
- ``remove_payment`` ``{"PaymentID"}``: Xero's "Remove & Redo" (help.xero.com/au/Payment-Delete):
               a PAID invoice goes back to AUTHORISED
- ``void``     AUTHORISED without payments -> VOIDED ("can only void if no payment(s) attached")
- ``delete``   DRAFT/SUBMITTED -> DELETED (approved invoices are voided, not deleted)
purchaseorders (the API's transitions, purchase_orders.py):
- ``submit`` DRAFT -> SUBMITTED; ``authorise`` DRAFT/SUBMITTED -> AUTHORISED;
  ``bill`` AUTHORISED -> BILLED; ``delete`` DRAFT/SUBMITTED/AUTHORISED -> DELETED
contacts:
- ``archive``  ContactStatus ARCHIVED (again: no change)
- ``restore``  ContactStatus ACTIVE, if no other active contact has its name
- ``merge``    ``{"into": "<ContactID>"}``: the contact is archived with MergedToContactID
               set to the one it was merged into (the spec's Contact.MergedToContactID), and
               its invoices and purchase orders move to that contact, as Xero moves "all
               transactions" of a merged contact; they are stamped too, so a sync by
               If-Modified-Since sees their new contact.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, request

from .. import orgs
from ..control import bp
from ..errors import json_response, validation_exception
from ..state import sandbox
from . import contacts, invoices, msdate, payments, purchase_orders
from .context import Reference
from .documents import Rejected
from .repository import Repository

Body = dict[str, Any]
Action = Callable[[Repository, dict[str, Any], Body, float], Body]

MUST_DIFFER = "A contact cannot be merged into itself"
MERGE_TARGET = "The contact to merge into must be an active contact of this organisation"


class _BadRequest(Exception):
    """The control request itself is malformed (not a Xero rule): 400 ``{"error"}``."""


# -- invoices ---------------------------------------------------------------------------------
def _invoice_to(status: str, allowed_from: tuple[str, ...]) -> Action:
    def act(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
        if doc.get("Payments") and status in ("VOIDED", "DELETED"):
            raise Rejected(invoices.HAS_PAYMENTS)
        if doc.get("Status") not in allowed_from:
            raise Rejected(invoices.NOT_MODIFIABLE)
        changed = {**doc, "Status": status, **_stamp(now, with_string=True)}
        if status in ("VOIDED", "DELETED"):
            changed["AmountDue"] = 0.0
        repo.save(invoices.KIND, changed["InvoiceID"], changed)
        return {"Invoices": [invoices.render(repo, changed)]}
    return act


def _pay(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
    account = body.get("Account") or {}
    if not isinstance(account, dict):
        raise _BadRequest('Account is {"Code": "090"} or {"AccountID": "..."}')
    payment, invoice = payments.pay(
        repo, Reference.load(repo), doc, amount=_amount(body.get("Amount")), account=account,
        date=_date(body.get("Date")), reference=_text(body.get("Reference"), "Reference"), now=now)
    return {"Payments": [payments.render(repo, payment)], "Invoices": [invoices.render(repo, invoice)]}


def _remove_payment(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
    payment_id = str(body.get("PaymentID") or "").lower()
    if payment_id not in {p["PaymentID"] for p in doc.get("Payments", [])}:
        raise _BadRequest("PaymentID must name one of the invoice's Payments")
    payment = repo.get(payments.KIND, payment_id)
    assert payment is not None
    payment, invoice = payments.remove(repo, payment, now)
    return {"Payments": [payments.render(repo, payment)], "Invoices": [invoices.render(repo, invoice or doc)]}


# -- purchase orders --------------------------------------------------------------------------
def _order_to(status: str, allowed_from: tuple[str, ...]) -> Action:
    def act(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
        if doc.get("Status") not in allowed_from:
            raise Rejected(purchase_orders.NOT_MODIFIABLE)
        changed = {**doc, "Status": status, **_stamp(now)}
        repo.save(purchase_orders.KIND, changed["PurchaseOrderID"], changed)
        return {"PurchaseOrders": [purchase_orders.render(repo, changed)]}
    return act


# -- contacts ---------------------------------------------------------------------------------
def _archive(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
    if doc.get("ContactStatus") != "ARCHIVED":
        doc = {**doc, "ContactStatus": "ARCHIVED", **_stamp(now)}
        repo.save(contacts.KIND, doc["ContactID"], doc)
    return {"Contacts": [doc]}


def _restore(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
    if doc.get("ContactStatus") != "ACTIVE":
        problems = contacts.check(repo, {"ContactStatus": "ACTIVE"}, doc)
        if problems:
            raise Rejected(*problems)
        doc = {**doc, "ContactStatus": "ACTIVE", **_stamp(now)}
        doc.pop("MergedToContactID", None)
        repo.save(contacts.KIND, doc["ContactID"], doc)
    return {"Contacts": [doc]}


def _merge(repo: Repository, doc: dict[str, Any], body: Body, now: float) -> Body:
    into = str(body.get("into") or "").lower()
    if not into:
        raise _BadRequest('send {"into": "<ContactID of the contact to keep>"}')
    target = repo.get(contacts.KIND, into)
    if into == doc["ContactID"]:
        raise Rejected(MUST_DIFFER)
    if target is None or target.get("ContactStatus") != "ACTIVE":
        raise Rejected(MERGE_TARGET)
    for kind, id_field in ((invoices.KIND, "InvoiceID"), (purchase_orders.KIND, "PurchaseOrderID")):
        for held in repo.all(kind):
            if held["Contact"]["ContactID"] == doc["ContactID"]:
                moved = {**held, "Contact": contacts.summary(target),
                         **_stamp(now, with_string=kind == invoices.KIND)}
                repo.save(kind, held[id_field], moved)
    merged = {**doc, "ContactStatus": "ARCHIVED", "MergedToContactID": target["ContactID"], **_stamp(now)}
    repo.save(contacts.KIND, merged["ContactID"], merged)
    return {"Contacts": [merged]}


ACTIONS: dict[str, dict[str, Action]] = {
    "invoices": {
        "submit": _invoice_to("SUBMITTED", ("DRAFT",)),
        "approve": _invoice_to("AUTHORISED", ("DRAFT", "SUBMITTED")),
        "void": _invoice_to("VOIDED", ("AUTHORISED",)),
        "delete": _invoice_to("DELETED", ("DRAFT", "SUBMITTED")),
        "pay": _pay,
        "remove_payment": _remove_payment,
    },
    "purchaseorders": {
        "submit": _order_to("SUBMITTED", ("DRAFT",)),
        "authorise": _order_to("AUTHORISED", ("DRAFT", "SUBMITTED")),
        "bill": _order_to("BILLED", ("AUTHORISED",)),
        "delete": _order_to("DELETED", ("DRAFT", "SUBMITTED", "AUTHORISED")),
    },
    "contacts": {"archive": _archive, "restore": _restore, "merge": _merge},
}
SCHEMAS = {"invoices": "Invoice", "purchaseorders": "PurchaseOrder", "contacts": "Contact"}
ERROR_FLAGS = {"invoices": "HasErrors", "contacts": "HasValidationErrors"}


@bp.post("/objects/<tenant_id>/<kind>/<object_id>/<action>")
def act(tenant_id: str, kind: str, object_id: str, action: str) -> Response:
    sb = sandbox()
    step = ACTIONS.get(kind, {}).get(action)
    if step is None:
        known = ", ".join(f"{k}/{a}" for k, acts in ACTIONS.items() for a in acts)
        return json_response({"error": f"no action {kind}/{action}; actions: {known}"}, 404)
    if orgs.get(sb.store, tenant_id) is None:
        return json_response({"error": "unknown organisation"}, 404)
    repo = Repository(sb.store, tenant_id)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        return json_response({"error": "send a JSON object"}, 400)
    try:
        with sb.store.transaction():
            doc = repo.get(kind, object_id)
            if doc is None:
                return json_response({"error": "not found"}, 404)
            return json_response(step(repo, doc, body, sb.clock.now()))
    except _BadRequest as exc:
        return json_response({"error": str(exc)}, 400)
    except Rejected as rejected:
        return _refused(kind, repo, object_id, rejected.messages)


def _refused(kind: str, repo: Repository, object_id: str, messages: list[str]) -> Response:
    doc = repo.get(kind, object_id) or {}
    shown = invoices.render(repo, doc) if kind == "invoices" else doc
    element = {**shown, "ValidationErrors": [{"Message": m} for m in messages]}
    if kind in ERROR_FLAGS:
        element[ERROR_FLAGS[kind]] = True
    return validation_exception([element])


def _stamp(now: float, *, with_string: bool = False) -> dict[str, str]:
    stamp = {"UpdatedDateUTC": msdate.ms_from_epoch(now)}
    if with_string:
        stamp["UpdatedDateUTCString"] = msdate.utc_string(now)
    return stamp


def _amount(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _BadRequest("Amount must be a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _BadRequest("Amount must be a number") from None


def _date(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return msdate.parse(str(value))
    except ValueError:
        raise _BadRequest("Date is YYYY-MM-DD") from None


def _text(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _BadRequest(f"{name} must be text")
    return value
