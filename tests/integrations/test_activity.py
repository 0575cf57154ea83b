"""Settings > Integrations > Activity: every push of the workspace, filters, paging, retry."""
# ruff: noqa: F811  (tests take the imported ``desk`` fixture as an argument)
from __future__ import annotations

import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.sync.push_support import (HTMX, desk, sandbox,  # noqa: F401  (desk, sandbox: fixtures)
                                     text_of)
from tests.sync.push_support import run_scheduled
from xeroapp.extensions import db
from xeroapp.integrations.activity import PER_PAGE
from xeroapp.models.workspace import find_user_by_email
from xeroapp.models.xero import PushJob
from xeroapp.queue import get_queue

URL = "/settings/integrations/activity"


def add_push(app, workspace_id: int, kind: str, record_id: int, status: str, **values) -> int:
    """A push row as the engine leaves it (written directly: the states are the point here)."""
    values.setdefault("action", "send")
    values.setdefault("attempts", 1)
    with app.app_context():
        job = PushJob(workspace_id=workspace_id, record_kind=kind, record_id=record_id,
                      status=status, **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def ada_id(app) -> int:
    with app.app_context():
        return find_user_by_email("ada@example.com").id


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="push-(\d+)"', html)]


def pushes_of(app, kind: str, record_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(j.action, j.status) for j in db.session.scalars(db.select(PushJob).filter_by(
            record_kind=kind, record_id=record_id).order_by(PushJob.id))]


@pytest.fixture
def failed_invoice(desk, records, app):
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")
    push_id = add_push(app, desk.workspace_id, "invoice", invoice_id, "failed",
                       requested_by_id=ada_id(app), attempts=3, error_kind="validation",
                       error_message="Xero says: Account code '999' is not a valid code.",
                       error_field="Account")
    return invoice_id, push_id


def test_every_push_is_listed_with_record_kind_who_status_attempts_and_message(
        desk, records, app, failed_invoice):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.send("client", client_id)
    invoice_id, failed_id = failed_invoice

    response = desk.client.get(URL)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (done_id,) = [j for j in row_ids(html) if j != failed_id]
    assert row_ids(html) == [done_id, failed_id] and done_id > failed_id  # newest first
    done_row = text_of(html.split(f'id="push-{done_id}"')[1].split("</tr>")[0])
    assert done_row.endswith("Client Bayside Café Send Ada Lovelace Done 1")
    failed_row = text_of(html.split(f'id="push-{failed_id}"')[1].split("</tr>")[0])
    assert ("Invoice INV-0042 Send Ada Lovelace Failed 3 Xero says: Account code '999' is not "
            "a valid code. (Account) Retry") in failed_row
    assert f'href="/clients/{client_id}"' in html and f'href="/invoices/{invoice_id}"' in html
    assert "Retry all failed (1)" in text_of(html)


def test_rate_limit_waits_are_shown_apart_from_attempts(desk, records, app):
    """Three 429s, then Xero takes the contact: one attempt (one try went to Xero with the
    record and was answered), three rate-limit waits beside it, not four attempts."""
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["429", "429", "429"], "retry_after": 30})
    desk.send("client", client_id)
    for _ in range(3):
        run_scheduled(app, desk.drain)
    assert len(desk.held("contacts")) == 1

    html = desk.client.get(URL).get_data(as_text=True)

    (push_id,) = row_ids(html)
    row = html.split(f'id="push-{push_id}"')[1].split("</tr>")[0]
    attempts_cell = text_of(row.split('<td class="num">')[1].split("</td>")[0])
    assert attempts_cell == "1 3 rate-limit waits"
    assert text_of(row).endswith("Client Bayside Café Send Ada Lovelace Done 1 3 rate-limit waits")


def test_integrations_page_links_to_activity(desk):
    html = desk.client.get("/settings/integrations/").get_data(as_text=True)
    assert f'href="{URL}"' in html


def test_filters_by_status_and_kind_and_htmx_gets_the_table_only(desk, records, app):
    client_id = records.client(desk.workspace_id)
    supplier_id = records.supplier(desk.workspace_id)
    client_done = add_push(app, desk.workspace_id, "client", client_id, "done")
    client_failed = add_push(app, desk.workspace_id, "client", client_id, "failed")
    supplier_failed = add_push(app, desk.workspace_id, "supplier", supplier_id, "failed")

    assert row_ids(desk.client.get(f"{URL}?status=failed").get_data(as_text=True)) == [
        supplier_failed, client_failed]
    assert row_ids(desk.client.get(f"{URL}?kind=client").get_data(as_text=True)) == [
        client_failed, client_done]
    assert row_ids(desk.client.get(f"{URL}?kind=client&status=done").get_data(as_text=True)) == [
        client_done]
    # unknown values are ignored rather than matching nothing
    assert len(row_ids(desk.client.get(f"{URL}?status=bogus&kind=x").get_data(as_text=True))) == 3

    fragment = desk.client.get(f"{URL}?status=failed", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="activity-table"' in body and row_ids(body) == [supplier_failed, client_failed]
    assert "HX-Request" in fragment.headers["Vary"]
    page = desk.client.get(URL).get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'hx-target="#activity-table"' in page

    empty = desk.client.get(f"{URL}?status=running").get_data(as_text=True)
    assert "No pushes match these filters" in text_of(empty)


def test_pages_keep_the_filters(desk, records, app):
    client_id = records.client(desk.workspace_id)
    ids = [add_push(app, desk.workspace_id, "client", client_id, "done") for _ in range(PER_PAGE + 3)]
    add_push(app, desk.workspace_id, "client", client_id, "failed")

    first = desk.client.get(f"{URL}?status=done").get_data(as_text=True)
    assert row_ids(first) == ids[::-1][:PER_PAGE]
    assert "Page 1 of 2" in text_of(first)
    assert f'href="{URL}?status=done&amp;page=2"' in first
    second = desk.client.get(f"{URL}?status=done&page=2").get_data(as_text=True)
    assert row_ids(second) == ids[::-1][PER_PAGE:]


def test_another_workspaces_pushes_are_never_shown_nor_retried(desk, records, app):
    other = records.workspace()
    other_client = records.client(other, name="Not Yours Ltd")
    other_push = add_push(app, other, "client", other_client, "failed",
                          error_message="Their secret message")

    html = desk.client.get(URL).get_data(as_text=True)
    assert "Not Yours Ltd" not in html and "Their secret message" not in html
    assert row_ids(html) == []
    assert "Nothing sent to Xero yet" in text_of(html)

    assert desk.client.post(f"{URL}/{other_push}/retry").status_code == 404
    desk.client.post(f"{URL}/retry-failed")
    assert pushes_of(app, "client", other_client) == [("send", "failed")]


def test_retry_sends_the_record_again_and_is_then_no_longer_offered(desk, app, failed_invoice):
    invoice_id, failed_id = failed_invoice

    response = desk.client.post(f"{URL}/{failed_id}/retry?status=failed")

    assert response.status_code == 303
    assert response.headers["Location"] == f"{URL}?status=failed"
    assert pushes_of(app, "invoice", invoice_id) == [("send", "failed"), ("send", "queued")]
    with app.app_context():
        assert len(get_queue().get_job_ids()) == 1
    desk.drain()
    assert pushes_of(app, "invoice", invoice_id) == [("send", "failed"), ("send", "done")]
    assert len(desk.held("invoices")) == 1

    html = desk.client.get(URL).get_data(as_text=True)
    assert "/retry" not in html and "Retry all failed" not in html
    assert "is queued to be sent again" in text_of(html)  # the flash, shown once
    # A second click on the old (now superseded) failure sends nothing more.
    desk.client.post(f"{URL}/{failed_id}/retry")
    assert len(pushes_of(app, "invoice", invoice_id)) == 2


def test_retry_needs_the_csrf_token(desk, app, failed_invoice):
    invoice_id, failed_id = failed_invoice

    assert desk.client.post(f"{URL}/{failed_id}/retry", csrf=False).status_code == 400
    assert desk.client.post(f"{URL}/retry-failed", csrf=False).status_code == 400
    assert pushes_of(app, "invoice", invoice_id) == [("send", "failed")]


def test_retry_all_failed_retries_each_record_once(desk, records, app, failed_invoice):
    invoice_id, _ = failed_invoice
    client_id = records.client(desk.workspace_id, name="Twice Failed Ltd")
    add_push(app, desk.workspace_id, "client", client_id, "failed")
    add_push(app, desk.workspace_id, "client", client_id, "failed")
    recovered = records.client(desk.workspace_id, name="Recovered Ltd")
    add_push(app, desk.workspace_id, "client", recovered, "failed")
    add_push(app, desk.workspace_id, "client", recovered, "done")
    locked = records.invoice(desk.workspace_id, number="INV-0100")
    add_push(app, desk.workspace_id, "invoice", locked, "failed", error_kind="locked",
             error_message="This invoice is approved in Xero.")

    assert "Retry all failed (2)" in text_of(desk.client.get(URL).get_data(as_text=True))
    response = desk.client.post(f"{URL}/retry-failed")

    assert response.status_code == 303
    assert pushes_of(app, "invoice", invoice_id)[-1] == ("send", "queued")
    assert pushes_of(app, "client", client_id)[-1] == ("send", "queued")
    assert len(pushes_of(app, "client", recovered)) == 2
    assert len(pushes_of(app, "invoice", locked)) == 1
    html = desk.client.get(URL).get_data(as_text=True)
    assert "2 failed pushes queued to be sent again." in text_of(html)


def test_retry_of_a_push_that_did_not_fail_changes_nothing(desk, records, app):
    client_id = records.client(desk.workspace_id)
    done = add_push(app, desk.workspace_id, "client", client_id, "done")

    response = desk.client.post(f"{URL}/{done}/retry", follow_redirects=True)

    assert "cannot be retried" in text_of(response.get_data(as_text=True))
    assert pushes_of(app, "client", client_id) == [("send", "done")]


# -- in a real browser ----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser_page(desk):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("no Chromium installed")
    server = make_server("127.0.0.1", 0, desk.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(base + "/auth/login")
            page.fill("input[name=email]", "ada@example.com")
            page.fill("input[name=password]", "correct horse")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            yield base, page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.e2e
def test_filter_swaps_the_table_and_the_address_and_retry_works(desk, records, app, failed_invoice,
                                                                browser_page):
    base, page = browser_page
    invoice_id, failed_id = failed_invoice
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    done_id = add_push(app, desk.workspace_id, "client", client_id, "done")
    page.goto(base + URL)
    page.evaluate("window.__same_page = true")  # gone if the page reloads
    assert page.locator("tr[id^=push-]").count() == 2

    page.select_option("#activity-status", "failed")
    page.wait_for_url(re.compile(r"status=failed"))
    # Not wait_for_function: it evals its predicate in the page, which our CSP forbids.
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator("tr[id^=push-]")).to_have_count(1)
    assert page.evaluate("window.__same_page") is True
    assert page.locator(f"#push-{done_id}").count() == 0

    page.click(f"#push-{failed_id} button")
    page.wait_for_selector(".flash")
    assert "INV-0042 is queued to be sent again" in page.inner_text("main")
    assert page.url.endswith(f"{URL}?status=failed")
    assert pushes_of(app, "invoice", invoice_id)[-1] == ("send", "queued")
