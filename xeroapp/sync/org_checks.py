"""Checks of a document against the organisation it is about to be sent to, BEFORE any call.

Xero refuses an invoice or purchase order in a currency the organisation has not enabled
("Organisation is not subscribed to currency EUR") and a line whose TaxType the organisation
does not have or that does not fit the line ("The TaxType code 'OUTPUT2' does not exist or
cannot be used for this type of transaction"; "... cannot be used with account code '300'").
We know its currencies, tax rates and accounts (xero.reference, read on connect), so such a
record is stopped here with the fix in plain words, and no call is spent. The codes checked
are those the push would send: the line's own, else its product's, else Settings' default.

When the lists have not been read (a connection older than them), nothing is checked here and
Xero's own answer stands.
"""
from __future__ import annotations

from typing import Any

from xeroapp.models import Invoice, PurchaseOrder
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.xero import XeroConnection
from xeroapp.sync import messages
from xeroapp.sync.outcomes import PushStopped
from xeroapp.xero import mapping, reference

SIDE_WORDS = {"sales": ("revenue", "sales"), "purchases": ("expenses", "purchase")}


class NotForThisOrganisation(PushStopped):
    """The record names a currency or tax rate the organisation cannot take."""

    kind = "validation"


def check(record: Any, connection: XeroConnection, org: XeroOrganisation | None = None) -> None:
    """Raise NotForThisOrganisation if ``record`` cannot go to the connected organisation
    (``org``: its lists, when the caller has them at hand)."""
    if not isinstance(record, (Invoice, PurchaseOrder)):
        return
    org = org or reference.of_connection(connection)
    if org is None:
        return
    _check_currency(record, org)
    _check_lines(record, connection, org)


def problem(record: Any, connection: XeroConnection,
            org: XeroOrganisation | None) -> NotForThisOrganisation | None:
    """``check``'s refusal, or None (for bulk sends, which fail one record, not the batch)."""
    if org is None:
        return None
    try:
        check(record, connection, org)
    except NotForThisOrganisation as exc:
        return exc
    return None


def _check_currency(record: Invoice | PurchaseOrder, org: XeroOrganisation) -> None:
    code = (record.currency or "").upper()
    if not code or org.takes_currency(code):
        return
    enabled = ", ".join(org.currencies or [org.base_currency or ""])
    raise NotForThisOrganisation(
        f"Xero's organisation {org.name} does not use currency {code} (it takes {enabled}). "
        f"Change this {messages.noun(record.record_kind)}'s currency on its Edit page, or add "
        f"{code} in Xero (Settings > Currencies) and then Refresh from Xero in Settings > "
        "Integrations.", field="Currency")


def _check_lines(record: Invoice | PurchaseOrder, connection: XeroConnection,
                 org: XeroOrganisation) -> None:
    side = "sales" if isinstance(record, Invoice) else "purchases"
    for line in record.lines:
        tax_type, account, source = _sent_codes(record, line, connection, side)
        if not tax_type:
            continue
        refusal = _tax_problem(org, tax_type, account, side)
        if refusal:
            raise NotForThisOrganisation(f"{refusal}: {_where_to_fix(record, line, source)}",
                                         field="Tax rate")


def _sent_codes(record: Invoice | PurchaseOrder, line: Any, connection: XeroConnection,
                side: str) -> tuple[str | None, str | None, str]:
    """(TaxType, AccountCode) as the push would send them, and where the TaxType comes from:
    "line", "product" or "default"."""
    if side == "sales":
        defaults = mapping.LineDefaults(connection.sales_account_code, connection.sales_tax_type)
        body = mapping.invoice_line(line, defaults, amount_type=record.amount_type)
    else:
        defaults = mapping.LineDefaults(connection.purchase_account_code,
                                        connection.purchase_tax_type)
        body = mapping.purchase_order_line(line, defaults, amount_type=record.amount_type)
    product = getattr(line, "product", None)
    source = ("line" if (line.tax_type or "").strip()
              else "product" if product is not None and (product.tax_type or "").strip()
              else "default")
    return body.get("TaxType"), body.get("AccountCode"), source


def _tax_problem(org: XeroOrganisation, tax_type: str, account: str | None, side: str) -> str | None:
    rate = org.rate(tax_type)
    if rate is None:
        return f"Tax rate {tax_type} does not exist in {org.name}"
    fits = reference.fits_account(org, tax_type, account)
    if fits is False:
        return f"Tax rate {tax_type} ({rate.name}) cannot be used with account {account} in {org.name}"
    applies, word = SIDE_WORDS[side]
    if fits is None and applies not in rate.applies_to:
        return f"Tax rate {tax_type} ({rate.name}) is not a {word} rate in {org.name}"
    return None


def _where_to_fix(record: Invoice | PurchaseOrder, line: Any, source: str) -> str:
    noun = messages.noun(record.record_kind)
    if source == "product":
        return (f"choose one of its rates on product {line.product.name}'s page, or on this "
                f"{noun}'s Edit page")
    if source == "default":
        place = "Integrations" if isinstance(record, Invoice) else "Purchase orders"
        return f"choose one of its rates as the default in Settings > {place}"
    return f"choose one of its rates on the {noun}'s Edit page"
