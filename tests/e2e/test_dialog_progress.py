"""The missing-products dialog hands the creation to the worker: the dialog shows it under
way, closes itself once the products exist and the order is sent, and brings Xero's
refusals back on their rows."""
from __future__ import annotations

import pytest
expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 20_000  # ms


def test_create_shows_progress_then_closes_and_the_order_follows(page, dialog, sandbox, shot):
    sandbox.faults(latency=2, paths=["Items"])  # a slow Xero: the progress stays a while

    dialog.get_by_role("button", name="Create in Xero and save").click()

    expect(dialog.get_by_role("heading")).to_have_text("Creating 1 product in Xero", timeout=SLOW)
    expect(dialog).to_contain_text("this closes by itself")
    shot("missing-products-creating")
    expect(dialog).to_be_hidden(timeout=SLOW)
    panel = page.locator(".xero-panel")
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    assert [item["Code"] for item in sandbox.held("items")] == ["MILK-2L"]
    (order,) = sandbox.held("purchaseorders")
    assert [line["ItemCode"] for line in order["LineItems"]] == ["MILK-2L"]


def test_a_row_xero_refuses_comes_back_on_its_row(page, person, sandbox, shot):
    person.signed_up_and_connected()
    person.new_supplier("Harbour Dairy")
    person.new_product("MILK-2L", "Milk 2 L", "3.80")
    person.new_product("CREAM-1L", "Cream 1 L", "6.10")
    person.new_purchase_order("Harbour Dairy", [("MILK-2L – Milk 2 L", "12"),
                                                ("CREAM-1L – Cream 1 L", "4")])
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Create 2 products in Xero", timeout=SLOW)
    sandbox.add_item("cream-1l", "Someone else's cream")  # taken in Xero meanwhile

    dialog.get_by_role("button", name="Create in Xero and save").click()

    expect(dialog).to_contain_text("Xero created 1 of 2 products", timeout=SLOW)
    expect(dialog).to_contain_text("Price List Item with Code ''CREAM-1L'' already exists")
    expect(dialog.get_by_role("heading")).to_have_text("Create 1 product in Xero")
    shot("missing-products-refused")
    code = dialog.get_by_label("Xero code for Cream 1 L")
    expect(code).to_be_focused()
    code.fill("CREAM-1L-B")
    dialog.get_by_role("button", name="Create in Xero and save").click()
    expect(dialog).to_be_hidden(timeout=SLOW)
    expect(page.locator(".xero-panel")).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    assert sorted(i["Code"] for i in sandbox.held("items")) == ["CREAM-1L-B", "MILK-2L", "cream-1l"]
    (order,) = sandbox.held("purchaseorders")
    assert [line["ItemCode"] for line in order["LineItems"]] == ["MILK-2L", "CREAM-1L-B"]
