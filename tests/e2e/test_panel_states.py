"""What the Xero panel shows when Xero says no: a validation error, named as Xero
gave it, and the rate-limit wait that resumes by itself. Real browser, real stack."""
from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 20_000  # ms


def send_from_xero_tab(page):
    page.get_by_role("tab", name="Xero").click()
    panel = page.locator(".xero-panel")
    panel.get_by_role("button", name=re.compile("^(Send|Update)$")).click()
    return panel


def test_xero_validation_error_is_shown_on_the_panel(page, person, sandbox, shot):
    person.signed_up_and_connected()
    person.new_client("Kai Cafe")
    expect(send_from_xero_tab(page)).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    person.new_client("Kai Roastery")
    expect(send_from_xero_tab(page)).to_have_attribute("data-state", "in_xero", timeout=SLOW)

    # Someone renames the first contact in Xero to the name we are about to give the second.
    (cafe,) = [c for c in sandbox.held("contacts") if c["Name"] == "Kai Cafe"]
    sandbox.edit("contacts", cafe["ContactID"], Name="Kai Espresso")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name", exact=True).fill("Kai Espresso")
    page.get_by_role("button", name="Save client").click()
    panel = send_from_xero_tab(page)

    expect(panel).to_have_attribute("data-state", "failed", timeout=SLOW)
    expect(panel.get_by_role("status")).to_have_text("Failed")
    alert = panel.get_by_role("alert")
    expect(alert).to_contain_text("Could not update.")
    expect(alert).to_contain_text("The contact name Kai Espresso is already assigned to another contact.")
    expect(alert).to_contain_text("Xero complained about: Name")
    expect(panel.get_by_role("button", name="Try again")).to_be_visible()
    shot("panel-validation-error")
    assert sorted(c["Name"] for c in sandbox.held("contacts")) == ["Kai Espresso", "Kai Roastery"]


def test_rate_limit_shows_the_wait_and_resumes_by_itself(page, person, sandbox, shot):
    person.signed_up_and_connected()
    person.new_client("Tide & Tonic")
    sandbox.faults(next=["429"], retry_after=4)  # Xero's next answer: 429, Retry-After: 4

    panel = send_from_xero_tab(page)

    expect(panel).to_have_attribute("data-state", "waiting_limit", timeout=SLOW)
    expect(panel).to_contain_text("Waiting for Xero's rate limit")
    expect(panel).to_contain_text("Nothing to do: it continues by itself.")
    shot("panel-rate-limit")
    assert sandbox.held("contacts") == []
    expect(panel).to_have_attribute("data-state", "in_xero", timeout=SLOW)
    assert [c["Name"] for c in sandbox.held("contacts")] == ["Tide & Tonic"]
