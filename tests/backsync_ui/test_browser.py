"""The back-sync UI in a real browser (Chromium): choosing a Xero status narrows the invoices
list in place (htmx) and the URL keeps the filter; the invoice page shows its payments.
Screenshots are written when E2E_SCREENSHOTS names a folder."""
from __future__ import annotations

import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")]


def shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


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
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(10_000)
        page.goto(served + "/auth/login")
        page.fill("input[name=email]", "ada@example.com")
        page.fill("input[name=password]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        yield page
        browser.close()


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
    shot(page, "invoices_list_filtered_overdue.png")

    page.goto(f"{served}/invoices/{paid}")
    said = page.inner_text("#invoice-in-xero")
    assert "Paid" in said and "03 Dec 2026" in said and "Bank transfer" in said
    shot(page, "invoice_paid_with_payments.png")
