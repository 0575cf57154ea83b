"""The panel in a real browser (Chromium): the click answers at once, the panel polls itself
to "In Xero" with no page reload, and stops polling."""
from __future__ import annotations


import pytest

from tests.browser_support import BROWSER, desk_page, served  # noqa: F401  (fixtures)

pytestmark = BROWSER


def test_send_updates_the_panel_in_place_until_done(desk, records, served, page):
    client_id = records.client(desk.workspace_id, name="O'Brien & Sons")
    page.goto(f"{served}/clients/{client_id}?tab=xero")
    page.evaluate("window.__same_page = true")  # gone if the page reloads
    panel = f"#xero-panel-client-{client_id}"

    page.click(f"{panel} button.button")
    page.wait_for_selector(f"{panel}[data-state=queued]")
    desk.drain()
    page.wait_for_selector(f"{panel}[data-state=in_xero]", timeout=10_000)

    assert page.evaluate("window.__same_page") is True
    # The fast poll of the push has stopped; a slow look for changes made in Xero remains.
    assert page.get_attribute(panel, "hx-trigger") == "every 10s"
    assert page.inner_text(f"{panel} .actions button") == "Update"
    assert [c["Name"] for c in desk.held("contacts")] == ["O'Brien & Sons"]
