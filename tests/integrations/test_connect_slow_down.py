"""Connecting while Xero turns reads away (429 with Retry-After, 503, a timeout): the
organisation is connected all the same, what Xero would not give is read on the queue, and
pages and pushes work meanwhile. Through the real connect flow, a real sandbox server with
its faults aimed at one resource, and the worker."""
from __future__ import annotations

import html
import re
import time
from datetime import datetime, timezone

import requests
import sqlalchemy as sa
from rq.registry import ScheduledJobRegistry

from tests.xero.xero_support import (DEMO_ORG, DEMO_TENANT_ID, control, mint, sandbox_connections,
                                     totals)
from xeroapp.extensions import db
from xeroapp.models import Workspace
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.xero import XeroConnection, XeroLink
from xeroapp.queue import get_queue
from xerosandbox.orgs import UK_TENANT_ID

UK_ORG, UK_CODE = "Thames Trading Ltd (Sandbox)", "!Lk9vG"
HTMX = {"HX-Request": "true"}


def text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def connect_seeing(client, connector, tenants: list[str] | None = None) -> str:
    """Connect; the text of the page the callback lands on."""
    answer = connector.connect(tenants=tenants)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/settings/integrations/")
    return text(client.get(answer.headers["Location"]).get_data(as_text=True))


def stored(app) -> tuple[XeroConnection, XeroOrganisation | None, Workspace]:
    with app.app_context():
        connection = db.session.scalar(sa.select(XeroConnection))
        org = XeroOrganisation.of(connection.workspace_id, connection.tenant_id)
        workspace = db.session.get(Workspace, connection.workspace_id)
        for row in (connection, org, workspace):
            if row is not None:
                db.session.expunge(row)
        return connection, org, workspace


def scheduled(app) -> dict[str, datetime]:
    """The scheduled jobs and when each is due."""
    with app.app_context():
        registry = ScheduledJobRegistry(queue=get_queue())
        return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def run_scheduled(app, worker) -> None:
    """What RQ's scheduler does when their time comes, without sitting out the wait."""
    with app.app_context():
        queue = get_queue()
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            queue.enqueue_job(queue.fetch_job(job_id))
    worker()


def send_client(client, records, app, worker, workspace_id: int, name: str) -> str:
    """A new client, Sent from its panel through the worker; the panel afterwards."""
    client_id = records.client(workspace_id, name=name)
    assert client.post(f"/xero/client/{client_id}/push", headers=HTMX).status_code == 200
    worker()
    with app.app_context():
        assert db.session.scalar(sa.select(XeroLink).filter_by(record_kind="client",
                                                               record_id=client_id)) is not None
    return client.get(f"/xero/client/{client_id}/panel", headers=HTMX).get_data(as_text=True)


def held_contacts(url: str, tenant_id: str) -> list[str]:
    return [c["Name"] for c in requests.get(f"{url}/_sandbox/objects/{tenant_id}/contacts",
                                            timeout=10).json()["Contacts"]]


def test_a_429_on_the_organisation_read_still_connects_and_the_queue_fills_it_in(
        client, connector, live_app, live_sandbox, records, worker):
    control(live_sandbox.url, "faults", {"next": ["429"], "retry_after": 30,
                                         "paths": ["Organisation"]})
    before = datetime.now(timezone.utc)
    page = connect_seeing(client, connector, [UK_TENANT_ID])

    assert (f"Connected to {UK_ORG}. Xero asked us to slow down, so its details will appear "
            "in a minute.") in page
    assert "could not read the organisation" not in page
    connection, org, workspace = stored(live_app)
    # Connected: the grant is kept (encrypted), under the name /connections gave.
    assert (connection.tenant_id, connection.tenant_name) == (UK_TENANT_ID, UK_ORG)
    with live_app.app_context():
        refresh = db.session.get(XeroConnection, connection.id).refresh_token
    assert refresh and refresh not in connection.refresh_token_encrypted
    assert not connection.needs_reconnect
    # Not yet known: the ShortCode, the lists, the base currency the workspace will follow.
    assert connection.short_code is None and org is None
    assert workspace.default_currency == "NZD"
    stats = totals(live_sandbox.url)
    assert stats["faults.429"] == 1
    assert "faults.timeout" not in stats
    # The rest waits for Xero's Retry-After on the queue, not in the person's request.
    (job_id, due), = scheduled(live_app).items()
    assert job_id == f"xero-connect-{connection.id}"
    assert 25 <= (due - before).total_seconds() <= 35

    # Meanwhile the pages cope: the organisation's name, no code, no "View in Xero" link ...
    settings = text(client.get("/settings/integrations/").get_data(as_text=True))
    assert f"Connected to {UK_ORG}" in settings and "Organisation code" not in settings
    # ... and a push works, its panel saying where it went.
    panel = send_client(client, records, live_app, worker, workspace.id, "Early Customer")
    assert "In Xero" in panel and UK_ORG in panel and "View in Xero" not in panel
    assert "Early Customer" in held_contacts(live_sandbox.url, UK_TENANT_ID)

    # Xero's wait is over: the job reads the organisation and its lists.
    run_scheduled(live_app, worker)
    connection, org, workspace = stored(live_app)
    assert connection.short_code == UK_CODE
    assert org is not None and org.base_currency == "GBP" and org.rate("OUTPUT2") is not None
    assert workspace.default_currency == "GBP"  # the first organisation's, as on a plain connect
    assert scheduled(live_app) == {}
    settings = text(client.get("/settings/integrations/").get_data(as_text=True))
    assert f"Organisation code {UK_CODE}" in settings
    panel = send_client(client, records, live_app, worker, workspace.id, "Later Customer")
    assert f"shortcode={UK_CODE}" in panel and "View in Xero" in panel


def test_the_job_waits_out_a_429_of_its_own(client, connector, live_app, live_sandbox, worker):
    control(live_sandbox.url, "faults", {"next": ["429"], "retry_after": 30,
                                         "paths": ["Organisation"]})
    connect_seeing(client, connector)
    control(live_sandbox.url, "faults", {"next": ["429"], "retry_after": 40})  # again, for the job
    before = datetime.now(timezone.utc)

    run_scheduled(live_app, worker)
    assert stored(live_app)[0].short_code is None
    (due,) = scheduled(live_app).values()  # itself again, at the new Retry-After
    assert 35 <= (due - before).total_seconds() <= 45

    run_scheduled(live_app, worker)
    connection, org, _ = stored(live_app)
    assert connection.short_code == "!kT7qP" and org is not None
    assert totals(live_sandbox.url)["faults.429"] == 2


def test_a_retry_after_of_a_second_is_waited_in_the_callback(client, connector, live_app,
                                                            live_sandbox):
    control(live_sandbox.url, "faults", {"next": ["429"], "retry_after": 1,
                                         "paths": ["Organisation"]})
    started = time.monotonic()
    page = connect_seeing(client, connector)
    assert time.monotonic() - started >= 1.0

    assert f"Connected to {DEMO_ORG}." in page and "slow down" not in page
    connection, org, _ = stored(live_app)
    assert connection.short_code == "!kT7qP" and org is not None  # all read in the callback
    assert scheduled(live_app) == {}
    with live_app.app_context():
        assert get_queue().count == 0
    assert totals(live_sandbox.url)["faults.429"] == 1


def test_xero_unavailable_for_the_organisation_read_connects_and_reads_it_later(
        client, connector, live_app, live_sandbox, worker):
    control(live_sandbox.url, "faults", {"next": ["503"], "paths": ["Organisation"]})
    page = connect_seeing(client, connector)
    assert (f"Connected to {DEMO_ORG}. Xero did not answer when we read its details, so they "
            "will appear in a few minutes.") in page
    assert stored(live_app)[0].short_code is None

    run_scheduled(live_app, worker)
    connection, org, _ = stored(live_app)
    assert connection.short_code == "!kT7qP" and org is not None


def test_a_timeout_on_the_lists_makes_no_further_call_and_the_queue_reads_them(
        client, connector, live_app, live_sandbox, worker):
    control(live_sandbox.url, "faults", {"next": ["timeout"], "timeout_seconds": 0.2,
                                         "paths": ["TaxRates"]})
    page = connect_seeing(client, connector)
    assert "Xero did not answer when we read its details" in page
    connection, org, _ = stored(live_app)
    assert connection.short_code == "!kT7qP"  # the organisation itself was read
    assert org is None
    stats = totals(live_sandbox.url)
    assert stats["faults.timeout"] == 1
    assert "faults.429" not in stats

    run_scheduled(live_app, worker)
    assert stored(live_app)[1] is not None


def test_the_numbers_an_organisation_holds_are_read_later_when_xero_slows_us_down(
        client, connector, live_app, live_sandbox, worker):
    token = mint(live_sandbox.url)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": DEMO_TENANT_ID}
    api = f"{live_sandbox.url}/api.xro/2.0"
    contact = requests.put(f"{api}/Contacts", headers=headers, timeout=10,
                           json={"Contacts": [{"Name": "Their contact"}]}).json()["Contacts"][0]
    assert requests.put(f"{api}/Invoices", headers=headers, timeout=10, json={"Invoices": [
        {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "InvoiceNumber": "INV-0007",
         "LineItems": [{"Description": "Theirs", "Quantity": 1, "UnitAmount": 10,
                        "AccountCode": "200"}]}]}).status_code == 200
    control(live_sandbox.url, "faults", {"next": ["429"], "retry_after": 20, "paths": ["Invoices"]})

    page = connect_seeing(client, connector)
    assert "Xero asked us to slow down, so its details will appear in a minute." in page
    connection, org, workspace = stored(live_app)
    assert connection.short_code == "!kT7qP" and org is not None  # read before the 429
    assert workspace.document_numbering is None

    run_scheduled(live_app, worker)
    _, _, workspace = stored(live_app)
    assert workspace.document_numbering == "xero"  # as a connect that read them would have
    assert workspace.invoice_number_next == 8



def test_a_429_listing_the_organisations_keeps_the_authorisation_to_finish_connecting(
        client, connector, live_app, live_sandbox):
    control(live_sandbox.url, "limits", {"app_per_minute": 1})
    sandbox_connections(live_sandbox.url)  # another caller spends the app's minute
    answer = connector.connect()
    assert answer.headers["Location"].endswith("/settings/integrations/resume")
    page = text(client.get(answer.headers["Location"]).get_data(as_text=True))
    assert ("Xero asked us to slow down before it told us which organisation you chose. Nothing "
            "is lost: press Finish connecting in a moment (within ten minutes).") in page
    assert "Finish connecting" in page
    with live_app.app_context():
        assert db.session.scalar(sa.select(XeroConnection)) is None

    requests.delete(f"{live_sandbox.url}/_sandbox/limits", timeout=10)  # Xero allows it again
    done = client.post("/settings/integrations/resume", follow_redirects=True)
    assert f"Connected to {DEMO_ORG}" in text(done.get_data(as_text=True))
    assert stored(live_app)[0].tenant_id == DEMO_TENANT_ID
    assert client.get("/settings/integrations/resume").status_code == 302  # used up
