"""Products -> Xero Items: which products of an order Xero lacks, and creating them.

A purchase order line names its product by ``ItemCode``, and Xero rejects the whole order
when one code is unknown. So before an order is pushed, every product on it is looked up in
ONE call (``where=Code=="A" OR Code=="B" ...``; split by its URL-encoded length when the
URL would pass what Xero's servers take, about 2,000 characters), not one call per line. Products found are linked (XeroLink kind
"product"); the rest stop the push with ProductsMissing, and the missing-products dialog
creates them in one batched ``PUT /Items`` (``create``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xeroapp.extensions import db
from xeroapp.models import Product
from xeroapp.sync import linking
from xeroapp.sync.outcomes import PushStopped
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient

PRODUCTS_MISSING = "products_missing"  # PushJob.error_kind of a push stopped for them
# PUT /Items refusing a code already held: "Price List Item with Code ''X'' already exists".
CODE_TAKEN = "already exists"


class ProductsMissing(PushStopped):
    """Some products of the order are not Items in Xero yet: a person decides (the dialog).

    ``missing`` is stored as PushJob.choices: ``[{"product_id": 7, "code": "CUP-8OZ"}]``, the
    codes looked for and not found, so the dialog opens without asking Xero again.
    """

    kind = PRODUCTS_MISSING

    def __init__(self, missing: list[dict[str, Any]]) -> None:
        count = len(missing)
        super().__init__(f"{count} product{'s' if count != 1 else ''} of this order "
                         f"{'are' if count != 1 else 'is'} not in Xero yet: Xero needs them as "
                         "items before it accepts the order.", field="Product")
        self.missing = missing


def find(xero: XeroClient, codes: list[str]) -> dict[str, dict]:
    """The Items whose Code is in ``codes``, keyed by casefolded code (Xero's codes are
    unique regardless of case). One GET for any ordinary order; more only when the URL
    would grow too long for Xero's servers. A code with a double quote (``PIPE-1/2"``) is
    looked for by a part of it and compared here: Xero's ``where`` cannot hold the quote."""
    wanted = {code.casefold() for code in codes}
    found: dict[str, dict] = {}
    for where in mapping.item_lookups(codes, xero.room("Items", "where", mapping.FOUR_DP)):
        # no where: every item (Items has no paging), for a code no where can hold
        params = {"where": where, **mapping.FOUR_DP} if where else mapping.FOUR_DP
        for item in xero.accounting("GET", "Items", params=params).get("Items") or []:
            code = (item.get("Code") or "").casefold()
            if code in wanted:
                found[code] = item
    return found


def ensure_present(xero: XeroClient, tenant_id: str, products: list[Product]) -> dict[int, str]:
    """Product id -> Xero's Item Code for every product, linking each one found; raises
    ProductsMissing (after keeping the links found) when some are not in Xero."""
    products = list({p.id: p for p in products}.values())
    codes = {p.id: mapping.item_code(p) for p in products}
    # A code longer than Xero allows cannot exist there: it is missing without asking.
    found = find(xero, [c for c in codes.values() if len(c) <= mapping.ITEM_CODE_MAX])
    present: dict[int, str] = {}
    missing: list[dict[str, Any]] = []
    for product in products:
        item = found.get(codes[product.id].casefold())
        if item is None:
            missing.append({"product_id": product.id, "code": codes[product.id]})
            continue
        present[product.id] = item["Code"]
        linking.record_push(product, tenant_id, item["ItemID"], product.version)
    if missing:
        db.session.commit()  # the links found are facts worth keeping either way
        raise ProductsMissing(missing)
    return present


@dataclass
class NewItem:
    """One row of the dialog: a product, as it will be created in Xero."""

    product: Product
    code: str
    name: str
    purchase_price: Decimal | None
    purchase_account: str | None

    def body(self) -> dict[str, Any]:
        return mapping.item(self.product, self.code, self.name,
                            purchase_price=self.purchase_price,
                            purchase_account=self.purchase_account)


def create(xero: XeroClient, tenant_id: str, rows: list[NewItem], *,
           idempotency_key: str) -> dict[int, list[str]]:
    """Create ``rows`` in one ``PUT /Items?summarizeErrors=false``; returns product id ->
    Xero's messages for the rows it refused. Each created row is remembered on the product
    (``xero_code``) and linked; the caller commits.

    With summarizeErrors=false Xero answers 200 with every element in request order, each
    OK or ERROR, and keeps the good ones: one bad row does not undo the others.
    """
    answer = xero.accounting("PUT", "Items", params={"summarizeErrors": "false", **mapping.FOUR_DP},
                             json={"Items": [row.body() for row in rows]},
                             idempotency_key=idempotency_key)
    results = answer.get("Items") or []
    refused: dict[int, list[str]] = {}
    taken: list[NewItem] = []
    for index, row in enumerate(rows):
        result = results[index] if index < len(results) else {}
        errors = [e.get("Message", "") for e in result.get("ValidationErrors") or []]
        if result.get("StatusAttributeString") == "ERROR" or not result.get("ItemID"):
            refused[row.product.id] = errors or ["Xero did not create this item."]
            if any(CODE_TAKEN in message for message in errors):
                taken.append(row)
            continue
        _link(row, tenant_id, result)
    for row, item in _our_earlier_items(xero, taken):
        del refused[row.product.id]
        _link(row, tenant_id, item)
    return refused


def _our_earlier_items(xero: XeroClient, rows: list[NewItem]) -> list[tuple[NewItem, dict]]:
    """The refused rows whose code Xero holds under the very name we sent: our own earlier
    create, whose answer was lost (a timeout, a dropped connection) after Xero saved it.
    Those are linked rather than refused, so pressing Create again after a lost answer goes
    on instead of blocking the order. An item of that code under another name is someone
    else's, and its row stays refused for a person to choose another code."""
    if not rows:
        return []
    held = find(xero, [row.code for row in rows])
    ours = []
    for row in rows:
        item = held.get(row.code.casefold())
        if item is not None and (item.get("Name") or "").strip() == row.name.strip():
            ours.append((row, item))
    return ours


def _link(row: NewItem, tenant_id: str, item: dict) -> None:
    row.product.xero_code = item.get("Code") or row.code
    db.session.flush()  # the product's version moves with its code; link that version
    linking.record_push(row.product, tenant_id, item["ItemID"], row.product.version)
