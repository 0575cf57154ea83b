"""Our records -> the JSON Xero expects. Pure functions: no database, no HTTP, no app.

ContactNumber scheme
--------------------
Every client and supplier we send carries ``ContactNumber`` = ``XA-C-<id>`` (clients) or
``XA-S-<id>`` (suppliers), ``<id>`` being the row's primary key. Primary keys are never
reused and are unique across workspaces, so the number names one of our records for good:
a push whose response was lost, or a workspace reconnected after its links were cleared, finds
its contact again by number instead of creating a second one. Xero shows it as "Contact
code"; it fits Xero's 50-character limit with room to spare.

Invoices
--------
Sales invoices go as ``Type: ACCREC`` and, on create, ``Status: DRAFT`` (an accountant
approves them in Xero). An update leaves Status alone and sends every line: a line with its
``LineItemID`` is edited in place, and Xero deletes the lines we leave out, which is what
deleting a line here means. The contact is named by ContactID only: other contact fields on
an invoice would silently edit the contact (xero-facts §6).

Document numbers
----------------
A document without a number (the workspace lets Xero number new documents) is sent without
``InvoiceNumber`` / ``PurchaseOrderNumber``: Xero then gives the next number of the
organisation's own sequence, and an update that leaves it out keeps the number Xero holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CONTACT_NUMBER_PREFIX = {"client": "XA-C-", "supplier": "XA-S-"}

# Query parameters for every /Invoices and /Items call. Our prices keep 4 decimal places
# (models.types.Money), but Xero rounds the UnitAmounts and UnitPrices a request sends or
# reads to 2 unless it carries unitdp=4 ("You can opt in to use four decimal places for unit
# amounts": the spec's components.parameters.unitdp; Xero's "Rounding in Xero" guide), and
# works the line and invoice totals out from the rounded price: 10.1234 x 3 would total a
# cent or more away from ours, silently. /PurchaseOrders takes no such parameter (not in the
# spec): an order's unit amounts keep 4 dp as sent.
FOUR_DP = {"unitdp": "4"}


def contact_number(record_kind: str, record_id: int) -> str:
    return f"{CONTACT_NUMBER_PREFIX[record_kind]}{record_id}"


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def contact(record: Any, number: str) -> dict[str, Any]:
    """A Client or Supplier (anything with ContactDetails) as a Xero Contact.

    Empty fields are sent as "" rather than left out, so clearing a field here clears it in
    Xero on the next Update (Xero ignores absent keys). Notes stay local: Xero's Contact has
    no notes field in the API.
    """
    address = {
        "AddressType": "POBOX",  # Xero's postal address
        "AddressLine1": _text(record.address_line1) or "",
        "AddressLine2": _text(record.address_line2) or "",
        "City": _text(record.city) or "",
        "Region": _text(record.region) or "",
        "PostalCode": _text(record.postal_code) or "",
        "Country": _text(record.country) or "",
    }
    return {
        "Name": record.name.strip(),
        "ContactNumber": number,
        "EmailAddress": _text(record.email) or "",
        "FirstName": _text(record.first_name) or "",
        "LastName": _text(record.last_name) or "",
        "AccountNumber": _text(record.account_number) or "",
        "TaxNumber": _text(record.tax_number) or "",
        "Addresses": [address],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": _text(record.phone) or ""}],
    }


@dataclass(frozen=True)
class LineDefaults:
    """What a line without its own account or tax rate gets (Settings > Integrations)."""

    account_code: str | None = None
    tax_type: str | None = None


def _number(value: Decimal | None) -> float | None:
    """Decimals as JSON numbers, every place kept (ours have at most 4, as Xero's unit
    amounts and quantities: a unit amount keeps them when the call carries FOUR_DP)."""
    return None if value is None else float(Decimal(value).normalize())


def invoice_line(line: Any, defaults: LineDefaults, *, amount_type: str,
                 item_code: str | None = None) -> dict[str, Any]:
    """One invoice line: its own account/tax, else the product's, else the sales defaults."""
    body = _line_item(line, defaults, amount_type=amount_type, item_code=item_code,
                      unit_amount=line.unit_price, product_account="sales_account_code")
    if line.discount_rate:
        body["DiscountRate"] = _number(line.discount_rate)
    return body


def invoice(record: Any, contact_id: str, defaults: LineDefaults, *, create: bool,
            item_codes: dict[int, str] | None = None) -> dict[str, Any]:
    """An Invoice as a Xero ACCREC invoice; ``item_codes``: product id -> Xero Item Code for
    the products that are in Xero (lines of other products go without ItemCode)."""
    item_codes = item_codes or {}
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": _text(record.number),
        "Reference": _text(record.reference) or "",
        "Date": record.issue_date.isoformat(),
        "LineAmountTypes": record.amount_type,
        "CurrencyCode": record.currency,
        "LineItems": [invoice_line(line, defaults, amount_type=record.amount_type,
                                   item_code=item_codes.get(line.product_id))
                      for line in record.lines],
    }
    if record.due_date is not None:
        body["DueDate"] = record.due_date.isoformat()
    if create:
        body["Status"] = "DRAFT"
    if body["InvoiceNumber"] is None:
        del body["InvoiceNumber"]  # Xero numbers it (or keeps the number it gave)
    return body


def where_string(value: str) -> str:
    """``value`` as a double-quoted string literal inside a Xero ``where`` expression.

    Backslashes and double quotes are escaped with a backslash (Dynamic LINQ's rules). ``&``,
    ``+`` and ``'`` need nothing here: they are only dangerous when a URL is built by hand,
    and our HTTP client encodes the whole parameter (``+`` would otherwise arrive as a space
    and ``&`` would cut the query short: the ``O'Brien & Sons`` bug of peers).
    """
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def contact_lookup(number: str, name: str) -> str:
    """One ``where`` finding the contact that carries our number or has the same name."""
    return f"ContactNumber=={where_string(number)} OR Name=={where_string(name.strip())}"


# -- Items and purchase orders (issue 5) ---------------------------------------------------

ITEM_CODE_MAX = 30  # Xero's Item.Code limit; our SKUs may be longer
ITEM_NAME_MAX = 50  # Xero's Item.Name limit
# Xero's servers have refused very long query strings (IIS 404.15, xero-facts §4): an OR-list
# of codes is split so that no single ``where`` grows past this many characters.
WHERE_MAX_LENGTH = 1800


def item_code(product: Any) -> str:
    """The code a product has (or will have) in Xero: the one chosen for it, else its SKU."""
    return (_text(product.xero_code) or product.sku.strip())


def item_lookups(codes: list[str], max_length: int = WHERE_MAX_LENGTH) -> list[str]:
    """``where`` expressions finding every Item whose Code is in ``codes``."""
    return where_any("Code", codes, max_length)


def contact_name_lookups(names: list[str], max_length: int = WHERE_MAX_LENGTH) -> list[str]:
    """``where`` expressions finding every contact whose Name is in ``names``."""
    return where_any("Name", [name.strip() for name in names], max_length)


def where_any(field: str, values: list[str], max_length: int = WHERE_MAX_LENGTH) -> list[str]:
    """``where`` expressions matching ``field`` against each of ``values``: as few as the
    length limit allows (one for any ordinary order), each ``F=="A" OR F=="B" ...``."""
    chunks: list[str] = []
    current = ""
    for value in dict.fromkeys(values):  # once each, in order
        term = f"{field}=={where_string(value)}"
        candidate = f"{current} OR {term}" if current else term
        if current and len(candidate) > max_length:
            chunks.append(current)
            candidate = term
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def item(product: Any, code: str, name: str, *, purchase_price: Decimal | None,
         purchase_account: str | None) -> dict[str, Any]:
    """A Product as a new Xero Item (what the missing-products dialog creates).

    The purchase side carries the price and account the dialog showed; the sales side is
    filled only when we sell the product (published with a sale price). No TaxType: our one
    tax rate per product does not say whether it is a sales or a purchase rate, and Xero
    rejects a sales rate on purchase details; the order lines carry their own TaxType.
    """
    body: dict[str, Any] = {"Code": code, "Name": name, "IsPurchased": True,
                            "PurchaseDescription": _text(product.description) or product.name}
    purchase: dict[str, Any] = {}
    if purchase_price is not None:
        purchase["UnitPrice"] = _number(purchase_price)
    if purchase_account:
        purchase["AccountCode"] = purchase_account
    if purchase:
        body["PurchaseDetails"] = purchase
    sells = bool(product.published and product.sale_price is not None)
    body["IsSold"] = sells
    if sells:
        body["Description"] = _text(product.description) or product.name
        sales: dict[str, Any] = {"UnitPrice": _number(product.sale_price)}
        if _text(product.sales_account_code):
            sales["AccountCode"] = product.sales_account_code.strip()
        body["SalesDetails"] = sales
    return body


def purchase_order_line(line: Any, defaults: LineDefaults, *, amount_type: str,
                        item_code: str | None = None) -> dict[str, Any]:
    """One PO line: its own account/tax, else the product's, else the purchase defaults."""
    return _line_item(line, defaults, amount_type=amount_type, item_code=item_code,
                      unit_amount=line.unit_cost, product_account="purchase_account_code")


def _line_item(line: Any, defaults: LineDefaults, *, amount_type: str, item_code: str | None,
               unit_amount: Decimal | None, product_account: str) -> dict[str, Any]:
    """The LineItem fields invoices and purchase orders share; ``product_account`` names the
    product's account field for this side (sales or purchases)."""
    product = getattr(line, "product", None)
    description = _text(line.description) or (product.name if product is not None else None)
    account = (_text(line.account_code)
               or (_text(getattr(product, product_account)) if product is not None else None)
               or defaults.account_code)
    tax_type = _text(line.tax_type) or (_text(product.tax_type) if product is not None else None)
    if tax_type is None and amount_type != "NoTax":
        tax_type = defaults.tax_type  # a NoTax document takes no tax rate unless a line names one
    body: dict[str, Any] = {
        "Description": description or "-",
        "Quantity": _number(line.quantity),
        "UnitAmount": _number(unit_amount),
    }
    if account:
        body["AccountCode"] = account
    if tax_type:
        body["TaxType"] = tax_type
    if item_code:
        body["ItemCode"] = item_code
    if line.xero_line_item_id:
        body["LineItemID"] = line.xero_line_item_id
    return body


def purchase_order(record: Any, contact_id: str, defaults: LineDefaults, *,
                   status: str | None, item_codes: dict[int, str]) -> dict[str, Any]:
    """A PurchaseOrder as Xero's PurchaseOrder.

    ``status`` is sent on create (Settings > Purchase orders: DRAFT, SUBMITTED or AUTHORISED)
    and left out (None) on update, so an order someone approved in Xero stays approved.
    Delivery fields go as "" when empty so that clearing one here clears it in Xero.
    ``item_codes``: product id -> Item Code; every product line names its Item.
    """
    body: dict[str, Any] = {
        "Contact": {"ContactID": contact_id},
        "PurchaseOrderNumber": _text(record.number),
        "Reference": _text(record.reference) or "",
        "Date": record.order_date.isoformat(),
        "DeliveryAddress": _text(record.delivery_address) or "",
        "AttentionTo": _text(record.attention_to) or "",
        "Telephone": _text(record.telephone) or "",
        "DeliveryInstructions": _text(record.delivery_instructions) or "",
        "LineAmountTypes": record.amount_type,
        "CurrencyCode": record.currency,
        "LineItems": [purchase_order_line(line, defaults, amount_type=record.amount_type,
                                          item_code=item_codes.get(line.product_id))
                      for line in record.lines],
    }
    if record.delivery_date is not None:
        body["DeliveryDate"] = record.delivery_date.isoformat()
    if status:
        body["Status"] = status
    if body["PurchaseOrderNumber"] is None:
        del body["PurchaseOrderNumber"]  # Xero numbers it (or keeps the number it gave)
    return body
