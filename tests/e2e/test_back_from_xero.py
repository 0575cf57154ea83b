"""What a Xero user does comes back: an invoice paid in Xero shows as paid on its page, with
the payment, without a reload (the sandbox's webhook reaches the app, a worker reads the
invoice back, and the page's next look shows it)."""
from __future__ import annotations

import pytest
expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 30_000  # ms: webhook batch + read-back job + the page's 10 s look


def test_an_invoice_paid_in_xero_shows_as_paid_without_a_reload(page, person, sandbox, stack, shot):
    person.signed_up_and_connected()
    sandbox.deliver_webhooks_to(stack.web_url + "/webhooks/xero", stack.env["XERO_WEBHOOK_KEY"])
    assert sandbox._call("GET", "/_sandbox/webhooks")["registration"]["status"] == "OK"
    person.new_client("Bayside Café", "accounts@bayside.example")
    person.go("Invoices", "New invoice")
    page.get_by_label("Client").select_option(label="Bayside Café")
    person.type_into("Description, line 1", "Espresso beans, 1 kg")
    person.type_into("Quantity, line 1", "4")
    person.type_into("Unit price, line 1", "25")
    page.get_by_role("button", name="Create invoice").click()
    page.get_by_role("tab", name="Xero").click()
    panel = page.locator(".xero-panel")
    panel.get_by_role("button", name="Send").click()
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    (invoice,) = sandbox.held("invoices")
    page.evaluate("window.__same_page = true")  # gone if the page reloads

    # In Xero, the accountant approves it and the client pays it in full.
    sandbox.act("invoices", invoice["InvoiceID"], "approve")
    sandbox.act("invoices", invoice["InvoiceID"], "pay", Reference="Bank transfer 4471")

    expect(panel).to_contain_text("Paid in Xero", timeout=SLOW)
    expect(panel.get_by_role("button", name="Update")).to_have_count(0)  # Xero takes no more
    expect(panel).to_contain_text("History")
    assert page.evaluate("window.__same_page") is True
    shot("invoice-paid-in-xero-tab")
    page.get_by_role("tab", name="Details").click()
    payments = page.locator("#invoice-in-xero")
    expect(payments).to_contain_text("Paid")
    expect(payments).to_contain_text("Bank transfer 4471")
    expect(payments).to_contain_text("115.00")  # 4 × 25.00 + 15 % GST
    shot("invoice-paid-in-xero")
