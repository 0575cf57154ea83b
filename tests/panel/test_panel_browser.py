"""The panel in a real browser (Chromium): the click answers at once, the panel polls itself
to "In Xero" with no page reload, and stops polling."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")]


@pytest.fixture
def served(desk):
    server = make_server("127.0.0.1", 0, desk.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(served):
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.goto(served + "/auth/login")
        page.fill("input[name=email]", "ada@example.com")
        page.fill("input[name=password]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        yield page
        browser.close()


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
