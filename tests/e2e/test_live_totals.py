"""The invoice form's live totals keep up with a person who types while an earlier answer is
still on its way: the last keystroke always wins. Real browser, real stack."""
from __future__ import annotations

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 20_000  # ms


def test_a_keystroke_typed_while_totals_are_in_flight_is_not_lost(page, person):
    person.sign_up()
    person.new_client("Harbour Deli")
    person.go("Invoices", "New invoice")
    page.get_by_label("Client").select_option(label="Harbour Deli")
    person.type_into("Unit price, line 1", "10.00")
    person.type_into("Quantity, line 1", "")

    # "1", then "2" just after the request for "1" left: its answer lands while the request
    # for "12" is still waiting out its delay.
    with page.expect_request("**/invoices/totals"):
        page.keyboard.type("1")
    page.keyboard.type("2")

    expect(page.locator("#invoice-totals")).to_contain_text("NZD 138.00", timeout=SLOW)  # 12 × 10 + 15%
    expect(page.get_by_label("Quantity, line 1")).to_have_value("12")
