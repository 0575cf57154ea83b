"""``/Items``: list (where/order, no paging), get by ItemID or Code, PUT, POST, POST /{id},
DELETE /{id} -> 204.

Rules beyond the spec's types and lengths (xero_accounting.yaml, components.schemas.Item):
- Code is required and unique ("Price List Item with Code ''X'' already exists", with the
  doubled single quotes of the spec's example). PUT only creates, so a Code already held is
  refused. POST on the collection is update-or-create: an element without ItemID whose Code
  an item already holds UPDATES that item (Xero's Items page,
  developer.xero.com/documentation/api/items: POST "create or update an item", Code the only
  mandatory element; github.com/XeroAPI/Xero-NetStandard/issues/127: POST is "update or
  create", PUT create-only). A POST with an ItemID that renames the item to another item's Code
  is still a duplicate.
- Account codes and tax types in SalesDetails/PurchaseDetails must exist in the organisation.
- IsSold=false clears Description and SalesDetails; IsPurchased=false clears
  PurchaseDescription and PurchaseDetails.
- PurchaseDetails/SalesDetails UnitPrice: "By default UnitPrice is rounded to two decimal
  places. You can use 4 decimal places by adding the unitdp=4 querystring parameter to your
  request" (spec: components.schemas.Purchase.UnitPrice). As for invoice lines (lines.py), a
  request without it writes and reads 2 dp; a price stored with 4 keeps them.
- IsTrackedAsInventory when InventoryAssetAccountCode (an INVENTORY account) and
  PurchaseDetails.COGSAccountCode are set.
"""
from __future__ import annotations

import uuid
from typing import Any

from flask import Response

from ..api import bp, requires_scope
from . import batch, listing, msdate
from .context import Reference, current_repo
from .envelope import envelope, not_found, translate_errors
from .lines import money
from .repository import Repository

KIND = "items"
READ = ("accounting.settings", "accounting.settings.read", "accounting.invoices", "accounting.invoices.read")
WRITE = ("accounting.settings", "accounting.invoices")


@bp.get("/Items")
@requires_scope(*READ)
@translate_errors
def list_items() -> Response:
    unitdp = listing.unitdp()
    docs = [shown_at(doc, unitdp) for doc in current_repo().all(KIND)]
    docs = listing.modified_since(docs)
    docs = listing.apply_where(docs, "Item")
    docs = listing.apply_order(docs, "Item")
    return envelope("Items", docs)


@bp.get("/Items/<key>")
@requires_scope(*READ)
@translate_errors
def get_item(key: str) -> Response:
    doc = find(current_repo(), key)
    return envelope("Items", [shown_at(doc, listing.unitdp())]) if doc else not_found()


@bp.put("/Items")
@requires_scope(*WRITE)
@translate_errors
def create_items() -> Response:
    return batch.run("Items", "Item", handle, mode="create")


@bp.post("/Items")
@requires_scope(*WRITE)
@translate_errors
def upsert_items() -> Response:
    return batch.run("Items", "Item", handle, mode="upsert")


@bp.post("/Items/<key>")
@requires_scope(*WRITE)
@translate_errors
def update_item(key: str) -> Response:
    existing = find(current_repo(), key)
    if existing is None:
        return not_found()
    return batch.run("Items", "Item", handle, mode="update", url_id=existing["ItemID"], id_field="ItemID")


@bp.delete("/Items/<key>")
@requires_scope(*WRITE)
@translate_errors
def delete_item(key: str) -> Response:
    repo = current_repo()
    existing = find(repo, key)
    if existing is None:
        return not_found()
    repo.delete(KIND, existing["ItemID"])
    return Response(status=204)


def shown_at(doc: dict[str, Any], unitdp: int) -> dict[str, Any]:
    """The item as an answer shows it: UnitPrices to ``unitdp`` places (2 unless the request
    asked for 4), whatever precision the item holds."""
    shown = dict(doc)
    for side in ("SalesDetails", "PurchaseDetails"):
        details = doc.get(side) or {}
        if details.get("UnitPrice") is not None:
            shown[side] = {**details, "UnitPrice": float(money(details["UnitPrice"], unitdp))}
    return shown


def find(repo: Repository, key: str) -> dict[str, Any] | None:
    try:
        return repo.get(KIND, str(uuid.UUID(key)))
    except ValueError:
        return by_code(repo, key)


def by_code(repo: Repository, code: str) -> dict[str, Any] | None:
    return repo.first(KIND, _code_key, code.strip().casefold())


def _code_key(item: dict[str, Any]) -> str:
    return item.get("Code", "").casefold()


def handle(write: batch.Write, element: dict[str, Any]) -> batch.Result:
    existing = None
    item_id = element.get("ItemID")
    if item_id and write.mode != "create":
        existing = write.repo.get(KIND, item_id)
        if existing is None:
            return batch.Result(errors=["An existing Item with the specified ItemID could not be found"])
    elif write.mode == "upsert" and (element.get("Code") or "").strip():
        existing = by_code(write.repo, element["Code"])  # update-or-create by Code
    errors = check(write, element, existing)
    if errors:
        return batch.Result(errors=errors)
    doc = build(element, existing, write)
    write.repo.save(KIND, doc["ItemID"], doc)
    write.ref.items[doc["Code"].upper()] = doc  # later elements/lines in this batch see it
    return batch.Result(doc=shown_at(doc, write.unitdp))


def check(write: batch.Write, element: dict[str, Any], existing: dict[str, Any] | None) -> list[str]:
    errors = []
    code = element.get("Code")
    if existing is None and not (code or "").strip():
        errors.append("Item code must be specified.")
    if code and code.strip():
        clash = by_code(write.repo, code)
        if clash is not None and (existing is None or clash["ItemID"] != existing["ItemID"]):
            errors.append(f"Price List Item with Code ''{code}'' already exists")
    errors.extend(_check_details(write.ref, element.get("SalesDetails"), "sales"))
    errors.extend(_check_details(write.ref, element.get("PurchaseDetails"), "purchases"))
    inventory = element.get("InventoryAssetAccountCode")
    if inventory:
        account = write.ref.account(inventory)
        if account is None or account.get("Type") != "INVENTORY":
            errors.append(f"Account code '{inventory}' is not a valid inventory asset account.")
    return errors


def _check_details(ref: Reference, details: dict[str, Any] | None, side: str) -> list[str]:
    """Codes must exist; a tax rate must fit its side (Xero refuses a sales rate on
    PurchaseDetails) or the account it goes with."""
    errors = []
    for key in ("AccountCode", "COGSAccountCode"):
        code = (details or {}).get(key)
        if code and ref.account(code) is None:
            errors.append(f"Account code '{code}' is not a valid code for this document.")
    problem = ref.tax_problem((details or {}).get("TaxType"), (details or {}).get("AccountCode"), side)
    if problem:
        errors.append(problem)
    return errors


def build(element: dict[str, Any], existing: dict[str, Any] | None, write: batch.Write) -> dict[str, Any]:
    doc = dict(existing) if existing else {"ItemID": str(uuid.uuid4()), "IsSold": True, "IsPurchased": True,
                                           "SalesDetails": {}, "PurchaseDetails": {}}
    for key, value in element.items():
        if value is None or key == "ItemID":
            continue
        if key in ("SalesDetails", "PurchaseDetails"):
            supplied = _priced_at({k: v for k, v in value.items() if v is not None}, write.unitdp)
            doc[key] = _details({**doc.get(key, {}), **supplied}, write)
        else:
            doc[key] = value
    if not doc.get("IsSold"):
        doc.pop("Description", None)
        doc["SalesDetails"] = {}
    if not doc.get("IsPurchased"):
        doc.pop("PurchaseDescription", None)
        doc["PurchaseDetails"] = {}
    tracked = bool(doc.get("InventoryAssetAccountCode") and doc["PurchaseDetails"].get("COGSAccountCode"))
    doc["IsTrackedAsInventory"] = tracked
    if tracked:
        doc.setdefault("QuantityOnHand", 0.0)
        doc.setdefault("TotalCostPool", 0.0)
    doc["UpdatedDateUTC"] = msdate.ms_from_epoch(write.now)
    return doc


def _priced_at(details: dict[str, Any], unitdp: int) -> dict[str, Any]:
    """Details as this request writes them: its UnitPrice to ``unitdp`` places (a stored
    price the request leaves out keeps its own)."""
    if details.get("UnitPrice") is not None:
        details["UnitPrice"] = float(money(details["UnitPrice"], unitdp))
    return details


def _details(details: dict[str, Any], write: batch.Write) -> dict[str, Any]:
    for key in ("AccountCode", "COGSAccountCode"):
        account = write.ref.account(details.get(key))
        if account:
            details[key] = account["Code"]
    rate = write.ref.tax_rate(details.get("TaxType"))
    if rate:
        details["TaxType"] = rate["TaxType"]
    return details
