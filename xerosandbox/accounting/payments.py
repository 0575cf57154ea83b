"""``/Payments``: payments against invoices and bills (xero_accounting.yaml,
components.schemas.Payment; developer.xero.com/documentation/api/accounting/payments).

- ``PUT /Payments`` ``{"Payments": [{Invoice: {InvoiceID}, Account: {Code}, Date, Amount}]}``
  creates payments (the xero-python SDK's ``create_payments``); ``POST /Payments`` with one
  payment does the same (``create_payment``). ``POST /Payments/{id}`` ``{"Status": "DELETED"}``
  removes one. ``GET /Payments`` (where, order, page, If-Modified-Since) and
  ``GET /Payments/{id}`` read them.
- A payment names its invoice by ``Invoice.InvoiceID``/``Invoice.InvoiceNumber`` (or a
  top-level ``InvoiceNumber``) and its account by ``Account.AccountID``/``Account.Code`` (or a
  top-level ``Code``); the account must be a BANK account or one with
  EnablePaymentsToAccount.
- Only AUTHORISED invoices take payments: "Payments can only be made against Authorised
  documents"; an amount above what is owed: "Payment amount exceeds the amount outstanding on
  this document" (the spec's PUT /Payments example). Amount defaults to nothing at Xero's API
  (it is required); the sandbox's Xero-user action defaults it to the amount due.
- Paying changes the invoice as Xero shows it: AmountPaid, AmountDue, a summary of the payment
  in its Payments[] (PaymentID, Date, Amount, Reference, CurrencyRate, HasAccount,
  HasValidationErrors: the spec's GET /Invoices example), UpdatedDateUTC; when nothing is
  left to pay, Status PAID and FullyPaidOnDate (the paying payment's Date, as in the spec's
  example where both are 2018-11-29). Removing a payment reverses that (PAID -> AUTHORISED).
- Wording not confirmed from a Xero source (the sandbox's own): a missing invoice, a missing
  or unusable account, and an amount of zero or less.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Response

from ..api import bp, requires_scope
from . import batch, invoices, listing, msdate
from .context import Reference, current_repo
from .documents import Rejected
from .envelope import envelope, not_found, translate_errors
from .lines import money
from .repository import Repository

KIND = "payments"
READ = ("accounting.transactions", "accounting.transactions.read", "accounting.payments",
        "accounting.payments.read")
WRITE = ("accounting.transactions", "accounting.payments")

NOT_AUTHORISED = "Payments can only be made against Authorised documents"
EXCEEDS = "Payment amount exceeds the amount outstanding on this document"
NOT_POSITIVE = "Payment amount must be greater than zero"
NO_INVOICE = "An existing Invoice with the specified InvoiceID or InvoiceNumber could not be found"
NO_ACCOUNT = "An Account with a Code or AccountID must be specified for the payment"
BAD_ACCOUNT = ("Account code '{code}' is not a bank account or an account with payments "
               "enabled, so it cannot be used for a payment")
PAYMENT_TYPES = {"ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT"}


# -- the rules, shared with the Xero-user control actions -------------------------------------
def pay(repo: Repository, ref: Reference, invoice: dict[str, Any], *, amount: float | None,
        account: dict[str, Any] | None, date: datetime | None, reference: str | None,
        now: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record a payment of ``amount`` (None: all that is due) against ``invoice``; answers
    (payment, invoice) as stored. Raises Rejected with every rule broken."""
    errors: list[str] = []
    due = money(invoice.get("AmountDue", 0))
    wanted = due if amount is None else money(amount)
    status = invoice.get("Status")
    if status == "PAID":
        errors.append(EXCEEDS)  # nothing is outstanding
    elif status != "AUTHORISED":
        errors.append(NOT_AUTHORISED)
    elif wanted <= 0:
        errors.append(NOT_POSITIVE)
    elif wanted > due:
        errors.append(EXCEEDS)
    chosen = _account(ref, account, errors)
    if errors:
        raise Rejected(*errors)
    assert chosen is not None
    paid_on = msdate.day(date) if date is not None else ref.today(now)
    payment = _new_payment(invoice, chosen, wanted, paid_on, reference or "", now)
    repo.save(KIND, payment["PaymentID"], payment)
    invoice = _with_payments(invoice, [*invoice.get("Payments", []), _summary(payment)], now)
    repo.save(invoices.KIND, invoice["InvoiceID"], invoice)
    return payment, invoice


def remove(repo: Repository, payment: dict[str, Any], now: float) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Delete a payment (Status DELETED) and take it off its invoice; answers both."""
    payment = {**payment, "Status": "DELETED", **_stamp(now)}
    repo.save(KIND, payment["PaymentID"], payment)
    invoice = repo.get(invoices.KIND, payment["Invoice"]["InvoiceID"])
    if invoice is not None:
        kept = [p for p in invoice.get("Payments", []) if p["PaymentID"] != payment["PaymentID"]]
        invoice = _with_payments(invoice, kept, now)
        repo.save(invoices.KIND, invoice["InvoiceID"], invoice)
    return payment, invoice


def _account(ref: Reference, wanted: dict[str, Any] | None, errors: list[str]) -> dict[str, Any] | None:
    """The account a payment goes to or from: the one named, else (Xero-user actions only,
    which pass ``{}``) the organisation's first bank account."""
    if wanted is None:
        errors.append(NO_ACCOUNT)
        return None
    if not wanted.get("Code") and not wanted.get("AccountID"):
        return next((a for a in ref.accounts.values() if a.get("Type") == "BANK"), None)
    if wanted.get("AccountID"):
        found = next((a for a in ref.accounts.values()
                      if a["AccountID"] == str(wanted["AccountID"]).lower()), None)
    else:
        found = ref.account(wanted.get("Code"))
    if found is None:
        errors.append(NO_ACCOUNT)
        return None
    if found.get("Type") != "BANK" and not found.get("EnablePaymentsToAccount"):
        errors.append(BAD_ACCOUNT.format(code=found.get("Code")))
        return None
    return found


def _new_payment(invoice: dict[str, Any], account: dict[str, Any], amount: Decimal,
                 paid_on: datetime, reference: str, now: float) -> dict[str, Any]:
    return {
        "PaymentID": str(uuid.uuid4()),
        "Date": msdate.ms(paid_on),
        "BankAmount": float(amount),
        "Amount": float(amount),
        "Reference": reference,
        "CurrencyRate": invoice.get("CurrencyRate", 1.0),
        "PaymentType": PAYMENT_TYPES.get(invoice["Type"], "ACCRECPAYMENT"),
        "Status": "AUTHORISED",
        **_stamp(now),
        "HasAccount": True,
        "IsReconciled": False,
        "Account": {"AccountID": account["AccountID"], "Code": account.get("Code"),
                    "Name": account.get("Name")},
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "HasValidationErrors": False,
    }


def _summary(payment: dict[str, Any]) -> dict[str, Any]:
    """A payment as its invoice lists it (the spec's GET /Invoices example)."""
    return {"PaymentID": payment["PaymentID"], "Date": payment["Date"], "Amount": payment["Amount"],
            "Reference": payment["Reference"], "CurrencyRate": payment["CurrencyRate"],
            "HasAccount": False, "HasValidationErrors": False}


def _with_payments(invoice: dict[str, Any], summaries: list[dict[str, Any]], now: float) -> dict[str, Any]:
    """The invoice with these payments: amounts, status and FullyPaidOnDate follow them."""
    paid = sum((money(p["Amount"]) for p in summaries), Decimal("0"))
    due = money(invoice.get("Total", 0)) - paid - money(invoice.get("AmountCredited", 0))
    doc = {**invoice, "Payments": summaries, "AmountPaid": float(paid), "AmountDue": float(due),
           **_stamp(now)}
    doc.pop("FullyPaidOnDate", None)
    if due <= 0 and summaries:
        doc["Status"] = "PAID"
        doc["FullyPaidOnDate"] = max((p["Date"] for p in summaries),
                                     key=lambda d: msdate.parse_ms(d) or datetime.min)
    elif doc.get("Status") == "PAID":
        doc["Status"] = "AUTHORISED"
    return doc


def _stamp(now: float) -> dict[str, str]:
    return {"UpdatedDateUTC": msdate.ms_from_epoch(now), "UpdatedDateUTCString": msdate.utc_string(now)}


def render(repo: Repository, payment: dict[str, Any]) -> dict[str, Any]:
    """The payment with a summary of its invoice as it is now (no lines, no payments)."""
    invoice = repo.get(invoices.KIND, payment["Invoice"]["InvoiceID"])
    if invoice is None:
        return payment
    shown = invoices.render(repo, invoice)
    summary = {k: v for k, v in shown.items() if k not in ("LineItems", "Payments")}
    return {**payment, "Invoice": summary}


# -- the API ----------------------------------------------------------------------------------
@bp.get("/Payments")
@requires_scope(*READ)
@translate_errors
def list_payments() -> Response:
    repo = current_repo()
    docs = [render(repo, d) for d in repo.all(KIND)]
    docs = listing.modified_since(docs)
    docs = listing.apply_where(docs, "Payment")
    docs = listing.apply_order(docs, "Payment")
    page, pagination = listing.paginate(docs)
    return envelope("Payments", page, pagination)


@bp.get("/Payments/<payment_id>")
@requires_scope(*READ)
@translate_errors
def get_payment(payment_id: str) -> Response:
    repo = current_repo()
    doc = _find(repo, payment_id)
    return envelope("Payments", [render(repo, doc)]) if doc else not_found()


@bp.put("/Payments")
@requires_scope(*WRITE)
@translate_errors
def create_payments() -> Response:
    return batch.run("Payments", "Payment", handle, mode="create")


@bp.post("/Payments")
@requires_scope(*WRITE)
@translate_errors
def create_payment() -> Response:
    return batch.run("Payments", "Payment", handle, mode="create")


@bp.post("/Payments/<payment_id>")
@requires_scope(*WRITE)
@translate_errors
def delete_payment(payment_id: str) -> Response:
    if _find(current_repo(), payment_id) is None:
        return not_found()
    return batch.run("Payments", "Payment", handle, mode="update", url_id=payment_id, id_field="PaymentID")


def _find(repo: Repository, payment_id: str) -> dict[str, Any] | None:
    try:
        return repo.get(KIND, str(uuid.UUID(payment_id)))
    except ValueError:
        return None


def handle(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    if write.mode == "update":
        return _handle_delete(write, element)
    invoice = _invoice_of(write.repo, element)
    if invoice is None:
        return batch.Result(errors=[NO_INVOICE])
    account = element.get("Account")
    if account is None and element.get("Code"):
        account = {"Code": element["Code"]}
    if element.get("Amount") is None:
        return batch.Result(errors=[NOT_POSITIVE])
    try:
        payment, _ = pay(write.repo, write.ref, invoice, amount=element["Amount"],
                         account=account,
                         date=element.get("Date"), reference=element.get("Reference"), now=write.now)
    except Rejected as rejected:
        return batch.Result(errors=rejected.messages)
    return batch.Result(doc=render(write.repo, payment))


def _handle_delete(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    payment = write.repo.get(KIND, element["PaymentID"])
    if payment is None:
        return batch.Result(errors=["Payment could not be found"])
    if element.get("Status") != "DELETED":
        return batch.Result(errors=["A payment can only be deleted: send Status DELETED"])
    if payment.get("Status") == "DELETED":
        return batch.Result(errors=["This payment has already been deleted"])
    payment, _ = remove(write.repo, payment, write.now)
    return batch.Result(doc=render(write.repo, payment))


def _invoice_of(repo: Repository, element: dict[str, Any]) -> dict[str, Any] | None:
    named = element.get("Invoice") or {}
    if named.get("InvoiceID"):
        return repo.get(invoices.KIND, named["InvoiceID"])
    number = named.get("InvoiceNumber") or element.get("InvoiceNumber")
    return invoices.find(repo, number) if number else None
