"""A list page's "Send all not in Xero": the run's progress updates in place while Xero is
slow, its buttons count nothing while it goes, and it ends with every record in Xero once.
Real browser, real stack."""
from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 30_000  # ms


def test_send_all_shows_progress_and_ends_with_every_client_in_xero(page, person, sandbox, shot):
    person.signed_up_and_connected()
    names = ["Harbour Deli", "Kai Cafe", "Totara Books"]
    for name in names:
        person.new_client(name)
    person.open("Clients")
    bulk = page.locator(".bulk-push")
    expect(bulk.get_by_role("button", name="Send all not in Xero (3)")).to_be_enabled()

    sandbox.faults(latency=3)  # Xero answers slowly: the run is seen going
    bulk.get_by_role("button", name="Send all not in Xero (3)").click()
    status = bulk.get_by_role("status")
    expect(status).to_contain_text("Sending in Xero", timeout=SLOW)
    expect(status).to_contain_text("3 waiting")
    send = bulk.get_by_role("button", name=re.compile("^Send all not in Xero"))
    expect(send).to_have_text("Send all not in Xero")  # no count while the run goes
    expect(send).to_be_disabled()
    shot("bulk-push-running")

    expect(status).to_contain_text("Sending finished", timeout=SLOW)  # polled, no reload
    expect(status).to_contain_text("3 sent · 0 failed · 0 waiting")
    expect(bulk.get_by_role("button", name="Send all not in Xero (0)")).to_be_disabled()
    shot("bulk-push-finished")
    assert sorted(c["Name"] for c in sandbox.held("contacts")) == names
