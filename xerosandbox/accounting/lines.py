"""Line items and document totals, shared by Invoices and PurchaseOrders.

Xero's arithmetic, in decimal (never binary floats) and rounded half away from zero:
- UnitAmount: a request without ``unitdp=4`` has the UnitAmounts it sends rounded to 2 dp, and
  the lines' amounts are worked out from the rounded figure; with ``unitdp=4`` they are kept
  to 4 dp (anything finer is rounded to 4). Answers show UnitAmount to 2 dp unless the request
  asked for 4 (lines stored with 4 dp keep them: the parameter only says how a request writes
  and reads them). The spec lists ``unitdp`` ("You can opt in to use four decimal places for
  unit amounts", components.parameters.unitdp) on Invoices, CreditNotes, BankTransactions,
  Receipts and Items (and reads of Overpayments and Prepayments), not on PurchaseOrders.
  Xero's "Rounding in Xero" guide says the same and that LineAmount and the totals stay at
  2 dp (https://developer.xero.com/documentation/api-guides/rounding-in-xero). Purchase
  orders keep 4 dp with no parameter.
- LineAmount = Quantity x UnitAmount x (100 - DiscountRate) / 100, to 2 dp.
- TaxAmount per line from the tax rate's EffectiveRate, unless the caller set one:
  Exclusive: LineAmount x r/100; Inclusive: LineAmount x r/(100+r); NoTax: 0.
- Exclusive: SubTotal = sum(LineAmount), Total = SubTotal + TotalTax.
  Inclusive: Total = sum(LineAmount), SubTotal = Total - TotalTax.
  NoTax:     SubTotal = Total = sum(LineAmount), TotalTax = 0.

Update semantics: a supplied line with a known LineItemID edits that line, a line without
one is new, and existing lines missing from the array are deleted.
"""
from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .context import Reference

CENT = Decimal("0.01")
STORED_UNIT_DP = 4  # what Xero keeps at most (unitdp=4, or a purchase order)


def money(value: Any, places: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value or 0)).quantize(quantum, rounding=ROUND_HALF_UP)


def unit_amounts_at(lines: list[dict[str, Any]], unitdp: int) -> list[dict[str, Any]]:
    """The lines with their UnitAmounts rounded to ``unitdp`` places (copies: a supplied
    element may be echoed back in an error, a stored one must not change)."""
    return [{**line, "UnitAmount": float(money(line["UnitAmount"], unitdp))}
            if line.get("UnitAmount") is not None else line for line in lines]


def shown_at(doc: dict[str, Any], unitdp: int) -> dict[str, Any]:
    """A stored document as an answer shows it: UnitAmounts to ``unitdp`` places (a request
    without unitdp=4 reads 2, whatever the line holds). LineAmount and totals are unchanged."""
    if unitdp >= STORED_UNIT_DP or not doc.get("LineItems"):
        return doc
    return {**doc, "LineItems": unit_amounts_at(doc["LineItems"], unitdp)}


def merge_lines(existing: list[dict[str, Any]], supplied: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply Xero's LineItemID rule: edit known lines, add new ones, drop the rest."""
    by_id = {line["LineItemID"]: line for line in existing if line.get("LineItemID")}
    merged = []
    for line in supplied:
        line_id = line.get("LineItemID")
        if line_id and line_id in by_id:
            base = dict(by_id[line_id])
            base.update({k: v for k, v in line.items() if v is not None})
            merged.append(base)
        else:
            fresh = {k: v for k, v in line.items() if v is not None}
            fresh["LineItemID"] = str(uuid.uuid4())
            merged.append(fresh)
    return merged


def check_line(line: dict[str, Any], ref: Reference, *, allow_discount: bool,
               side: str = "sales") -> list[str]:
    """The per-line rules the spec does not state (existence of codes, a tax rate that fits
    the line's side and account, discount scope); ``side``: "sales" or "purchases"."""
    errors = []
    code = line.get("ItemCode")
    if code and ref.item(code) is None:
        errors.append(f"Item code '{code}' is not valid.")
    account = line.get("AccountCode")
    if account and ref.account(account) is None:
        errors.append(f"Account code '{account}' is not a valid code for this document.")
    tax_problem = ref.tax_problem(line.get("TaxType"), account, side)
    if tax_problem:
        errors.append(tax_problem)
    if not allow_discount and (line.get("DiscountRate") or line.get("DiscountAmount")):
        errors.append("Discounts are only supported on ACCREC (sales) invoices.")
    return errors


def fill_from_item(line: dict[str, Any], ref: Reference, side: str, unitdp: int) -> None:
    """A line naming an ItemCode takes the item's description, price (to the request's
    ``unitdp``), account and tax type for whatever it leaves out (side: "SalesDetails" or
    "PurchaseDetails")."""
    item = ref.item(line.get("ItemCode"))
    if item is None:
        return
    line["ItemCode"] = item["Code"]
    details = item.get(side) or {}
    description = item.get("Description" if side == "SalesDetails" else "PurchaseDescription")
    line.setdefault("Description", description or item.get("Name"))
    if line.get("UnitAmount") is None and details.get("UnitPrice") is not None:
        line["UnitAmount"] = float(money(details["UnitPrice"], unitdp))
    if not line.get("AccountCode") and details.get("AccountCode"):
        line["AccountCode"] = details["AccountCode"]
    if not line.get("TaxType") and details.get("TaxType"):
        line["TaxType"] = details["TaxType"]
    line["Item"] = {"ItemID": item["ItemID"], "Name": item.get("Name") or item["Code"], "Code": item["Code"]}


def compute(lines: list[dict[str, Any]], amount_types: str, ref: Reference, *,
            side: str) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Lines in API shape with LineAmount/TaxAmount, and the document's totals. UnitAmounts
    are taken as they stand (already rounded as the request wrote them, or as stored)."""
    out = []
    total_line = Decimal(0)
    total_tax = Decimal(0)
    total_discount = Decimal(0)
    for line in lines:
        shaped, line_amount, tax, discount = _compute_line(line, amount_types, ref, side)
        out.append(shaped)
        total_line += line_amount
        total_tax += tax
        total_discount += discount
    if amount_types == "Inclusive":
        total = total_line
        sub_total = total_line - total_tax
    else:
        sub_total = total_line
        total = total_line + total_tax
    return out, {
        "SubTotal": float(sub_total),
        "TotalTax": float(total_tax),
        "Total": float(total),
        "TotalDiscount": float(total_discount),
    }


def _compute_line(line: dict[str, Any], amount_types: str, ref: Reference,
                  side: str) -> tuple[dict[str, Any], Decimal, Decimal, Decimal]:
    shaped = {k: v for k, v in line.items() if v is not None}
    has_price = shaped.get("UnitAmount") is not None or shaped.get("Quantity") is not None
    quantity = Decimal(str(shaped.get("Quantity", 1)))
    unit = money(shaped.get("UnitAmount", 0), STORED_UNIT_DP)
    discount_rate = Decimal(str(shaped.get("DiscountRate") or 0))
    if has_price:
        gross = (quantity * unit).quantize(CENT, rounding=ROUND_HALF_UP)
        # One rounding of the whole product, as the documented formula reads: rounding the
        # gross first would drift a cent from Xero on discounted lines.
        line_amount = (quantity * unit * (100 - discount_rate) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if shaped.get("DiscountAmount"):
            line_amount = gross - money(shaped["DiscountAmount"])
        shaped["Quantity"] = float(quantity)
        shaped["UnitAmount"] = float(unit)
    else:
        gross = line_amount = money(shaped.get("LineAmount", 0))
    if not shaped.get("TaxType"):
        account = ref.account(shaped.get("AccountCode"))
        shaped["TaxType"] = account["TaxType"] if account else ref.default_tax(side)
    if not shaped.get("AccountCode"):
        shaped.pop("AccountCode", None)
    rate = Decimal(str((ref.tax_rate(shaped["TaxType"]) or {}).get("EffectiveRate", 0)))
    if amount_types == "NoTax":
        tax = Decimal(0)
    elif shaped.get("TaxAmount") is not None and "_tax_supplied" in shaped:
        tax = money(shaped["TaxAmount"])
    elif amount_types == "Inclusive":
        tax = (line_amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        tax = (line_amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    shaped.pop("_tax_supplied", None)
    shaped["LineAmount"] = float(line_amount)
    shaped["TaxAmount"] = float(tax)
    shaped.setdefault("Tracking", [])
    if shaped.get("DiscountRate") is not None:
        shaped["DiscountRate"] = float(discount_rate)
    return shaped, line_amount, tax, gross - line_amount
