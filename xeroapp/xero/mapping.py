"""Our records -> the JSON Xero expects. Pure functions: no database, no HTTP, no app.

ContactNumber scheme
--------------------
Every client and supplier we send carries ``ContactNumber`` = ``XA-C-<id>`` (clients) or
``XA-S-<id>`` (suppliers), ``<id>`` being the row's primary key. Primary keys are never
reused and are unique across workspaces, so the number names one of our records for good:
a push whose response was lost, or a workspace reconnected after its links were cleared, finds
its contact again by number instead of creating a second one. Xero shows it as "Contact
code"; it fits Xero's 50-character limit with room to spare. A contact the business keyed
into Xero before connecting us keeps its own code if it has one (we take an empty one): the
link holds its ContactID, and losing the link finds it again by name.

Contact fields
--------------
A new contact gets every field we hold. Linking to an existing contact (found by name)
sends only the fields we hold: Xero keeps a field left out, so its email, phones, address,
AccountNumber and TaxNumber survive where ours are empty. After that, an update sends the
fields changed here since the last push ("" for one cleared here), comparing with what the
link remembers of that push (XeroLink.pushed_fields).

Invoices
--------
Sales invoices go as ``Type: ACCREC`` and, on create, with the Status chosen in Settings >
Invoices (DRAFT: an accountant approves them in Xero; SUBMITTED; or AUTHORISED, approved and
awaiting payment). An update leaves Status alone and sends every line: a line with its
``LineItemID`` is edited in place, and Xero deletes the lines we leave out, which is what
deleting a line here means. The contact is named by ContactID only: other contact fields on
an invoice would silently edit the contact (POST /Invoices updates the contact it names
with the fields sent along).

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

import httpx

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


# Our contact fields, flat: the top-level Contact keys, then the postal (POBOX) address's
# keys and the DEFAULT phone. What was last sent of them is kept on the link
# (XeroLink.pushed_fields) so that an update sends only what changed here.
CONTACT_FIELDS = {
    "Name": "name", "EmailAddress": "email", "FirstName": "first_name",
    "LastName": "last_name", "AccountNumber": "account_number", "TaxNumber": "tax_number",
    "Address.AddressLine1": "address_line1", "Address.AddressLine2": "address_line2",
    "Address.City": "city", "Address.Region": "region", "Address.PostalCode": "postal_code",
    "Address.Country": "country", "Phone.PhoneNumber": "phone",
}


def contact_fields(record: Any) -> dict[str, str]:
    """A Client or Supplier (anything with ContactDetails) as flat Contact fields, "" for
    the empty ones."""
    return {key: _text(getattr(record, attr)) or "" for key, attr in CONTACT_FIELDS.items()}


def contact_body(fields: dict[str, str], number: str | None = None) -> dict[str, Any]:
    """Xero's Contact JSON carrying exactly ``fields`` (flat keys, "" clears a field in
    Xero) and, when given, ``number`` as ContactNumber. Xero keeps every field left out, and
    an address or phone sent merges into the one of its type (POBOX, DEFAULT)."""
    body: dict[str, Any] = {}
    address: dict[str, str] = {}
    for key, value in fields.items():
        if key.startswith("Address."):
            address[key.removeprefix("Address.")] = value
        elif key == "Phone.PhoneNumber":
            body["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": value}]
        else:
            body[key] = value
    if address:
        body["Addresses"] = [{"AddressType": "POBOX", **address}]  # Xero's postal address
    if number is not None:
        body["ContactNumber"] = number
    return body


def contact(record: Any, number: str) -> dict[str, Any]:
    """A new Contact: every field we hold, with our ContactNumber. Notes stay local: Xero's
    Contact has no notes field in the API."""
    return contact_body(held(contact_fields(record)), number)


def held(fields: dict[str, str]) -> dict[str, str]:
    """The fields that have a value."""
    return {key: value for key, value in fields.items() if value}


def contact_changes(fields: dict[str, str], last: dict[str, str] | None) -> dict[str, str]:
    """What an update of a linked contact sends: the fields that differ from ``last`` (our
    fields as they were at the last push: a field cleared here since goes as "" and clears
    it in Xero; one never set here stays out, and so does one unchanged here, so an edit
    made in Xero meanwhile is kept). Without ``last`` (a link from before we kept it, or a
    contact found by our number) only the fields we hold: nothing of Xero's is cleared."""
    if last is None:
        return held(fields)
    return {key: value for key, value in fields.items() if value != last.get(key, "")}


def adoption_changes(fields: dict[str, str]) -> dict[str, str]:
    """What linking to a contact the business keyed into Xero sends: the fields we hold,
    but not the name (it was found by it; Xero's spelling is kept). Everything else of
    theirs (the email Xero sends invoices to, phones, AccountNumber ...) stays as it is."""
    return {key: value for key, value in held(fields).items() if key != "Name"}


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
            item_codes: dict[int, str] | None = None, status: str = "DRAFT") -> dict[str, Any]:
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
        body["Status"] = status
    if body["InvoiceNumber"] is None:
        del body["InvoiceNumber"]  # Xero numbers it (or keeps the number it gave)
    return body


# -- lookups: ``where`` filters and other query parameters ---------------------------------

def quotable(value: str) -> bool:
    """Whether ``value`` can be written as a ``where`` string literal that Xero reads back
    exactly. Not with a double quote: Xero refuses ``Name=="Joe \\"Plumber\\" Ltd"`` with a
    QueryParseException ("Syntax error"; github.com/XeroAPI/Xero-Java/issues/347), and no other
    escape is known to work. Not with a backslash either, which Xero's parser may or may not
    take as an escape. Such values are found another way (``searchTerm``, ``.Contains`` of a
    part of them) and compared exactly here."""
    return '"' not in value and "\\" not in value


def where_string(value: str) -> str:
    """``value`` as a double-quoted string literal inside a Xero ``where`` expression, for a
    ``quotable`` value only. ``&``, ``+`` and ``'`` need nothing here: our HTTP client
    encodes the whole parameter (``+`` would otherwise arrive as a space and ``&`` would cut
    the query short)."""
    if not quotable(value):
        raise ValueError(f"{value!r} cannot be written in a where filter")
    return f'"{value}"'


def searchable_part(value: str) -> str:
    """The longest stretch of ``value`` without double quotes or backslashes: what a
    ``searchTerm`` or a ``.Contains()`` looks for when the whole value cannot be written
    (``Joe "Plumber" Ltd`` -> ``Plumber``); "" when there is none."""
    parts = (part.strip() for part in value.replace("\\", '"').split('"'))
    return max(parts, key=len, default="")


def query_length(value: str) -> int:
    """Characters ``value`` takes in a URL as a query parameter's value, percent-encoded as
    our HTTP client (httpx) sends it. Encoding is character by character, so the length of
    a joined string is the sum of its parts'."""
    return len(str(httpx.QueryParams({"v": value}))) - len("v=")


def fit(value: str, room: int) -> str:
    """``value`` cut short enough to take at most ``room`` characters encoded."""
    while value and query_length(value) > room:
        value = value[:-1]
    return value


def where_any(terms: list[str], room: int) -> list[list[str]]:
    """``terms`` (each a whole ``where`` expression, once each, in order) grouped so that
    each group joined by `` OR `` takes at most ``room`` characters once URL-encoded: as few
    groups as that allows (one for any ordinary list). Callers find a value whose term alone
    is too long another way; were one left in, it would stand alone and be refused before
    it is sent (client.QueryTooLong)."""
    return _packed(list(dict.fromkeys(terms)), room, " OR ")


def joined(group: list[str]) -> str:
    return " OR ".join(group)


def id_lists(ids: list[str], room: int) -> list[str]:
    """``ids`` as comma-separated lists (``IDs=a,b,c``), each at most ``room`` characters
    encoded: Xero's servers refuse a longer query with a 404 (53 GUIDs already fail)."""
    return [",".join(group) for group in _packed(list(dict.fromkeys(ids)), room, ",")]


def _packed(values: list[str], room: int, separator: str) -> list[list[str]]:
    """``values`` in order, in groups whose encoded length joined by ``separator`` is at
    most ``room`` (a value longer than that alone is a group of its own)."""
    gap = query_length(separator)
    groups: list[list[str]] = []
    used = 0
    for value in values:
        size = query_length(value)
        if groups and used + gap + size <= room:
            groups[-1].append(value)
            used += gap + size
        else:
            groups.append([value])
            used = size
    return groups


def name_term(name: str) -> str | None:
    """``Name=="<name>"``, or None when the name cannot be written in a where."""
    name = name.strip()
    return f"Name=={where_string(name)}" if quotable(name) else None


def number_term(number: str) -> str:
    return f"ContactNumber=={where_string(number)}"


def search_term(name: str, room: int) -> str:
    """A Contacts ``searchTerm`` that finds the contact named ``name`` among a few others
    (Xero's searchTerm is a case-insensitive text search over Name, FirstName, LastName,
    ContactNumber and EmailAddress): the longest part of it without quotes, cut to fit."""
    name = name.strip()
    return fit(searchable_part(name) or name, room)


# -- Items and purchase orders -------------------------------------------------------------

ITEM_CODE_MAX = 30  # Xero's Item.Code limit; our SKUs may be longer
ITEM_NAME_MAX = 50  # Xero's Item.Name limit


def item_code(product: Any) -> str:
    """The code a product has (or will have) in Xero: the one chosen for it, else its SKU."""
    return (_text(product.xero_code) or product.sku.strip())


def code_term(code: str) -> str | None:
    """A ``where`` term finding the Item with ``code``: ``Code=="<code>"``, else (a code
    with a double quote or backslash, as in ``PIPE-1/2"``) ``Code.Contains("PIPE-1/2")``
    for the caller to compare exactly; None when no part of the code can be written."""
    if quotable(code):
        return f"Code=={where_string(code)}"
    part = searchable_part(code)
    return f"Code.Contains({where_string(part)})" if part else None


def item_lookups(codes: list[str], room: int) -> list[str]:
    """``where`` filters finding every Item whose Code is in ``codes``, each at most
    ``room`` characters encoded. ``[""]`` (no filter: every item, Items has no paging) when
    one of the codes cannot be looked for by any part of it."""
    terms = [code_term(code) for code in codes]
    if None in terms:
        return [""]
    return [joined(group) for group in where_any(terms, room)]  # type: ignore[arg-type]


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
