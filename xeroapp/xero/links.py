""""View in Xero" deep links
(https://developer.xero.com/documentation/guides/how-to-guides/deep-link-xero/).

Xero's classic ``organisationlogin`` URL takes the organisation's ShortCode (from
``GET /Organisation``), so the link opens the right organisation even when the user last looked
at another one; the app-style links do not exist for purchase orders, so we use one pattern for
everything. The patterns are Xero's documented ones, query string left unencoded as documented.
"""
from __future__ import annotations

from flask import current_app

DEFAULT_GO_URL = "https://go.xero.com"

# record kind -> the page of that object inside Xero.
PAGES = {
    "client": "/Contacts/View/{id}",
    "supplier": "/Contacts/View/{id}",
    "contact": "/Contacts/View/{id}",
    "invoice": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    "bill": "/AccountsPayable/Edit.aspx?InvoiceID={id}",
    "purchase_order": "/Accounts/Payable/PurchaseOrders/View/{id}/",
}


def deep_link(short_code: str | None, kind: str, xero_id: str) -> str | None:
    """The URL that opens ``xero_id`` in the organisation ``short_code``; None when unknown."""
    page = PAGES.get(kind)
    if not short_code or page is None or not xero_id:
        return None
    base = current_app.config.get("XERO_GO_URL") or DEFAULT_GO_URL
    return (f"{base.rstrip('/')}/organisationlogin/default.aspx"
            f"?shortcode={short_code}&redirecturl={page.format(id=xero_id)}")
