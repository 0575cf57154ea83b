"""The back-sync UI in a real browser (Chromium): choosing a Xero status narrows the invoices
list in place (htmx) and the URL keeps the filter; the invoice page shows its payments.
Screenshots are written when E2E_SCREENSHOTS names a folder."""
from __future__ import annotations

from datetime import date

import pytest

from tests.browser_support import BROWSER, desk_page, screenshot, served  # noqa: F401  (fixtures)

pytestmark = BROWSER


def test_the_xero_filter_narrows_the_list_in_place(desk, records, served, page):
    ws = desk.workspace_id
    paid = records.invoice(ws, number="INV-0001", due_date=date(2026, 11, 15))
    desk.link("invoice", paid, xero_status="PAID", xero_amount_paid="25", xero_amount_due="0",
              xero_payments=[{"PaymentID": "p", "Date": "2026-12-03", "Amount": "25.00",
                              "Reference": "Bank transfer"}])
    owed = records.invoice(ws, number="INV-0002", due_date=date(2026, 1, 15))
    desk.link("invoice", owed, xero_status="AUTHORISED", xero_amount_due="25")
    records.invoice(ws, number="INV-0003")

    page.goto(f"{served}/invoices/")
    page.evaluate("window.__same_page = true")  # gone if the page reloads
    page.select_option("#invoice-xero", "overdue")
    page.wait_for_url("**xero=overdue**")
    page.wait_for_function("document.querySelectorAll('#invoices-table tbody tr').length === 1")

    assert page.evaluate("window.__same_page") is True
    row = page.inner_text("#invoices-table tbody tr")
    assert "INV-0002" in row and "Awaiting payment" in row and "Overdue" in row
    screenshot(page, "invoices-list-filtered-overdue")

    page.goto(f"{served}/invoices/{paid}")
    said = page.inner_text("#invoice-in-xero")
    assert "Paid" in said and "03 Dec 2026" in said and "Bank transfer" in said
    screenshot(page, "invoice-paid-with-payments")
