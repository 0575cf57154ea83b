"""One person's whole day, in Chromium against the real stack: sign up, connect to
Xero, send a client, update it, send an invoice, save a purchase order whose products Xero
lacks (the dialog creates them), disconnect. Every step checks what the person sees, and
the sandbox's control API checks what reached Xero."""
from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 20_000  # ms: a job goes through Redis, a forked RQ work horse and the sandbox


def test_sign_up_connect_and_send_everything_to_xero(page, person, sandbox, shot):
    person.sign_up(before_submit=lambda: shot("signup"))
    shot("dashboard")
    page.get_by_role("link", name="Settings", exact=True).click()
    shot("settings")

    person.open_integrations()
    shot("integrations-not-connected")
    page.get_by_role("button", name="Connect to Xero").click()
    expect(page.get_by_role("heading", name=re.compile("wants access to your Xero"))).to_be_visible()
    shot("xero-consent")
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#xero")).to_contain_text("Connected to Demo Company (Sandbox)")
    expect(page.get_by_label("Sales account")).to_be_visible(timeout=SLOW)  # defaults read from Xero
    shot("integrations-connected")

    # A client, sent from its Xero tab; the panel turns "In Xero" by polling, not by a reload.
    person.new_client("Bayside Café", "accounts@bayside.example",
                      before_submit=lambda: shot("client-form"))
    page.get_by_role("tab", name="Xero").click()
    panel = page.locator(".xero-panel")
    expect(panel).to_have_attribute("data-state", "not_in_xero")
    shot("client-xero-tab")
    page.evaluate("window.__same_page = true")  # gone if the page reloads
    panel.get_by_role("button", name="Send").click()
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    expect(panel.get_by_role("status")).to_have_text("In Xero")
    assert page.evaluate("window.__same_page") is True
    shot("client-in-xero")
    assert [c["EmailAddress"] for c in sandbox.held("contacts")
            if c["Name"] == "Bayside Café"] == ["accounts@bayside.example"]

    person.open("Clients")
    shot("clients")
    page.get_by_role("link", name="Bayside Café").click()

    # Edit, then Update sends the change.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Email").fill("billing@bayside.example")
    page.get_by_role("button", name="Save client").click()
    page.get_by_role("tab", name="Xero").click()
    expect(panel).to_contain_text("Changed since the last push")
    panel.get_by_role("button", name="Update").click()
    expect(panel).to_contain_text("No changes since last push", timeout=SLOW)
    assert [c["EmailAddress"] for c in sandbox.held("contacts")
            if c["Name"] == "Bayside Café"] == ["billing@bayside.example"]

    # An invoice for that client becomes a DRAFT invoice in Xero.
    person.go("Invoices", "New invoice")
    page.get_by_label("Client").select_option(label="Bayside Café")
    person.type_into("Description, line 1", "Espresso beans, 1 kg")
    person.type_into("Quantity, line 1", "3")
    person.type_into("Unit price, line 1", "24.50")
    expect(page.locator("#invoice-totals")).to_contain_text("NZD 84.53")  # live, from the server
    shot("invoice-form")
    page.get_by_role("button", name="Create invoice").click()
    expect(page.get_by_role("heading", name="Invoice INV-0001")).to_be_visible()
    expect(page.locator("main")).to_contain_text("NZD 84.53")  # 3 × 24.50 + 15% GST
    shot("invoice")
    page.get_by_role("tab", name="Xero").click()
    panel.get_by_role("button", name="Send").click()
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    shot("invoice-in-xero")
    (invoice,) = sandbox.held("invoices")
    assert (invoice["Type"], invoice["Status"], invoice["Contact"]["Name"]) == (
        "ACCREC", "DRAFT", "Bayside Café")
    assert [line["Description"] for line in invoice["LineItems"]] == ["Espresso beans, 1 kg"]
    person.open("Invoices")
    shot("invoices")

    # A purchase order for two products Xero does not have: the dialog creates them.
    person.new_supplier("Pacific Paper Co.")
    person.new_product("CUP-8OZ", "Paper cups 8 oz", "9.50")
    person.new_product("LID-8OZ", "Lids 8 oz", "4.25", before_submit=lambda: shot("product-form"))
    person.open("Products")
    shot("products")
    person.open("Suppliers")
    shot("suppliers")
    person.new_purchase_order("Pacific Paper Co.", [("CUP-8OZ – Paper cups 8 oz", "10"),
                                                    ("LID-8OZ – Lids 8 oz", "10")],
                              before_submit=lambda: shot("purchase-order-form"))

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=SLOW)
    expect(dialog.get_by_role("heading")).to_have_text("Create 2 products in Xero")
    expect(dialog).to_contain_text("CUP-8OZ")
    expect(dialog).to_contain_text("LID-8OZ")
    shot("missing-products-dialog")
    dialog.get_by_role("button", name="Create in Xero and save").click()
    expect(dialog).to_be_hidden(timeout=SLOW)
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    shot("purchase-order-in-xero")
    assert sorted(item["Code"] for item in sandbox.held("items")) == ["CUP-8OZ", "LID-8OZ"]
    (order,) = sandbox.held("purchaseorders")
    assert order["Contact"]["Name"] == "Pacific Paper Co."
    assert [line["ItemCode"] for line in order["LineItems"]] == ["CUP-8OZ", "LID-8OZ"]
    person.open("Purchase orders")
    shot("purchase-orders")

    # Disconnect: confirm, and the integration is back to "Connect".
    person.open_integrations()
    page.get_by_role("link", name="Disconnect from Xero").click()
    shot("disconnect")
    page.get_by_role("button", name=re.compile("Disconnect")).click()
    expect(page.get_by_role("button", name="Connect to Xero")).to_be_visible()
    person.log_out()
    shot("login")
