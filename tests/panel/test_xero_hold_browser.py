"""The Xero tab of paid, approved and voided invoices in a real browser (Chromium), with a
screenshot of each when E2E_SCREENSHOTS names a folder; Send again as new asks to confirm, then queues."""
from __future__ import annotations


import pytest

from tests.browser_support import BROWSER, desk_page, screenshot, served  # noqa: F401  (fixtures)

from tests.panel.test_xero_hold import ACTIONS, edit_here, read_back, sent_invoice

pytestmark = BROWSER


def open_tab(page, served: str, invoice_id: int, shot: str) -> str:
    page.goto(f"{served}/invoices/{invoice_id}?tab=xero")
    panel = page.locator(f"#xero-panel-invoice-{invoice_id}")
    panel.wait_for()
    screenshot(panel, shot)
    return panel.inner_text()


def test_paid_invoice_changed_here(desk, records, app, served, page):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    desk.control(f"{ACTIONS}/{xero_id}/pay", {"Date": "2026-12-03"})
    read_back(app, invoice_id, "PAID", "28.75",
              [{"PaymentID": "p1", "Date": "2026-12-03", "Amount": "28.75"}])
    edit_here(app, invoice_id)

    text = open_tab(page, served, invoice_id, "panel-paid")

    assert "Paid in Xero on 3 Dec 2026: Xero takes no more changes to it." in text
    assert "Xero will not take these changes" in text
    assert page.locator(f"#xero-panel-invoice-{invoice_id} button", has_text="Update").count() == 0


def test_approved_invoice(desk, records, app, served, page):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    read_back(app, invoice_id, "AUTHORISED")
    edit_here(app, invoice_id)

    text = open_tab(page, served, invoice_id, "panel-approved")

    assert "changes are still accepted until a payment is made" in text
    assert page.locator(f"#xero-panel-invoice-{invoice_id} button", has_text="Update").count() == 1


def test_voided_invoice_sent_again_after_confirming(desk, records, app, served, page):
    invoice_id, xero_id = sent_invoice(desk, records)
    desk.control(f"{ACTIONS}/{xero_id}/approve")
    desk.control(f"{ACTIONS}/{xero_id}/void")
    read_back(app, invoice_id, "VOIDED")

    text = open_tab(page, served, invoice_id, "panel-voided")
    assert "Voided in Xero: it cannot change." in text

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click(f"#xero-panel-invoice-{invoice_id} button:has-text('Send again as new')")
    page.wait_for_selector(f"#xero-panel-invoice-{invoice_id}[data-state=queued]")
    screenshot(page.locator(f"#xero-panel-invoice-{invoice_id}"), "panel-voided-sent-again")
    assert asked and "Create a new invoice in Xero" in asked[0]
    assert desk.link("invoice", invoice_id) is None


def test_invoice_settings_page(desk, served, page):
    page.goto(f"{served}/settings/invoices")
    screenshot(page, "settings-invoices")
    page.check("input[value=AUTHORISED]")
    page.click("button:has-text('Save settings')")
    page.wait_for_load_state()
    assert "Invoice settings saved." in page.inner_text("body")
