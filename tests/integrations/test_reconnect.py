"""Losing the grant, the banner, reconnecting (same or another organisation), token health,
and the Purchase orders settings page."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from tests.xero.xero_support import (DEMO_ORG, DEMO_TENANT_ID, SECOND_ORG, SECOND_TENANT_ID,
                                     control, expire_access_token, mint, sandbox_connections)
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import Workspace
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.queue import get_queue
from xeroapp.sync.outbox import PUSH_FUNCTION, rq_job_id
from xeroapp.sync.reconnect import OTHER_ORGANISATION, RECONNECT_REASON
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import ReconnectRequired

BANNER = "Xero needs reconnecting"


def connection(app) -> XeroConnection:
    with app.app_context():
        row = db.session.scalar(sa.select(XeroConnection))
        db.session.expunge(row)
        return row


def queue_push(app, tenant_id: str = DEMO_TENANT_ID) -> int:
    with app.app_context():
        workspace_id = db.session.scalar(sa.select(Workspace.id))
        job = PushJob(workspace_id=workspace_id, record_kind="client", record_id=1,
                      action="send", status="queued", tenant_id=tenant_id)
        db.session.add(job)
        db.session.commit()
        return job.id


def push_job(app, job_id: int) -> PushJob:
    with app.app_context():
        job = db.session.get(PushJob, job_id)
        db.session.expunge(job)
        return job


def lose_the_grant(app, sandbox_url: str) -> None:
    """Xero forgets us (revoked elsewhere); the next call that needs a token finds out."""
    with app.app_context():
        row = db.session.scalar(sa.select(XeroConnection))
        refresh, row_id, workspace_id = row.refresh_token, row.id, row.workspace_id
    requests.post(f"{sandbox_url}/connect/revocation", data={"token": refresh},
                  auth=("sandbox-app", "sandbox-secret"), timeout=10)
    expire_access_token(app, row_id)
    with app.app_context():
        try:
            XeroClient.for_workspace(workspace_id).organisation()
        except ReconnectRequired:
            return
    raise AssertionError("the lost grant went unnoticed")


def test_invalid_grant_shows_the_banner_and_reconnecting_resumes_queued_work(
        client, connector, live_app, live_sandbox):
    connector.connect()
    assert BANNER not in client.get("/").get_data(as_text=True)
    job_id = queue_push(live_app)

    lose_the_grant(live_app, live_sandbox.url)
    assert connection(live_app).needs_reconnect
    assert (push_job(live_app, job_id).status, push_job(live_app, job_id).error_message) == (
        "waiting", RECONNECT_REASON)
    for page in ("/", "/clients/", "/settings/integrations/"):
        html = client.get(page).get_data(as_text=True)
        assert BANNER in html and "Reconnect</button>" in html, page

    answer = connector.connect()  # the banner's Reconnect posts to the same connect route
    assert answer.status_code == 302
    assert not connection(live_app).needs_reconnect
    assert BANNER not in client.get("/").get_data(as_text=True)
    job = push_job(live_app, job_id)
    assert (job.status, job.error_message) == ("queued", None)
    with live_app.app_context():
        rq_job = get_queue().fetch_job(rq_job_id(job_id))
        assert rq_job is not None and rq_job.func_name == PUSH_FUNCTION


def let_the_grant_lapse(app, sandbox_url: str) -> None:
    """Unused for 61 days, the refresh token expires at Xero; unlike a revocation, the
    organisation stays connected there, so reconnecting is a re-consent to it."""
    control(sandbox_url, "clock", {"advance": 61 * 86_400})
    with app.app_context():
        row = db.session.scalar(sa.select(XeroConnection))
        row_id, workspace_id = row.id, row.workspace_id
    expire_access_token(app, row_id)
    with app.app_context():
        try:
            XeroClient.for_workspace(workspace_id).organisation()
        except ReconnectRequired:
            return
    raise AssertionError("the lapsed grant went unnoticed")


def keep_auth_event_on_reconsent(sandbox_url: str, keep: bool) -> None:
    assert control(sandbox_url, "identity", {"keep_auth_event_on_reconsent": keep}) == {
        "keep_auth_event_on_reconsent": keep}


def listed(sandbox_url: str) -> dict[str, dict]:
    return {c["tenantId"]: c for c in sandbox_connections(sandbox_url)}


@pytest.mark.parametrize("keep", [False, True], ids=["xero-moves-the-event-id",
                                                      "xero-keeps-the-event-id"])
def test_reconnect_after_a_lapsed_grant_works_however_xero_reports_the_consent(
        client, connector, live_app, live_sandbox, keep):
    connector.connect()
    before = listed(live_sandbox.url)[DEMO_TENANT_ID]
    keep_auth_event_on_reconsent(live_sandbox.url, keep)
    let_the_grant_lapse(live_app, live_sandbox.url)
    job_id = queue_push(live_app)

    answer = connector.connect()  # Demo Company ticked again

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/settings/integrations/")
    after = listed(live_sandbox.url)[DEMO_TENANT_ID]
    assert (after["authEventId"] == before["authEventId"]) is keep  # the switch was in force
    assert after["updatedDateUtc"] > before["updatedDateUtc"]
    row = connection(live_app)
    assert (row.tenant_id, row.connection_id, row.needs_reconnect) == (DEMO_TENANT_ID, before["id"], False)
    assert push_job(live_app, job_id).status == "queued"
    with live_app.app_context():
        assert XeroClient.for_workspace(row.workspace_id).organisation()["Name"] == DEMO_ORG


def test_reconsent_to_two_organisations_offers_both_when_xero_keeps_the_old_event_id(
        client, connector, live_app, live_sandbox):
    connector.connect([DEMO_TENANT_ID])
    keep_auth_event_on_reconsent(live_sandbox.url, True)
    control(live_sandbox.url, "clock", {"advance": 3600})

    answer = connector.connect([DEMO_TENANT_ID, SECOND_TENANT_ID])

    # Only Harbour Supplies carries the new event id; Demo Company, ticked again in the same
    # consent, is offered too instead of a switch away from it.
    assert answer.headers["Location"].endswith("/settings/integrations/choose")
    picker = client.get("/settings/integrations/choose").get_data(as_text=True)
    assert DEMO_ORG in picker and SECOND_ORG in picker
    kept = client.post("/settings/integrations/choose", data={"tenant": DEMO_TENANT_ID},
                       follow_redirects=True)
    assert f"Connected to {DEMO_ORG}" in kept.get_data(as_text=True)
    assert connection(live_app).tenant_id == DEMO_TENANT_ID


def test_first_connect_to_an_organisation_connected_before_when_xero_keeps_the_event_id(
        client, connector, live_app, live_sandbox):
    # The same Xero user connected both organisations to our app a day ago (elsewhere).
    mint(live_sandbox.url, [DEMO_TENANT_ID, SECOND_TENANT_ID])
    keep_auth_event_on_reconsent(live_sandbox.url, True)
    control(live_sandbox.url, "clock", {"advance": 86_400})

    answer = connector.connect([SECOND_TENANT_ID])

    # No connection carries the new event id, and the workspace had none of its own: the
    # organisation connected just now (updatedDateUtc) is the one chosen.
    assert answer.headers["Location"].endswith("/settings/integrations/")
    assert connection(live_app).tenant_id == SECOND_TENANT_ID


def test_switching_organisation_asks_first_and_keep_changes_nothing(client, connector, live_app):
    connector.connect([DEMO_TENANT_ID])
    first = connection(live_app)

    answer = connector.connect([SECOND_TENANT_ID])
    assert answer.headers["Location"].endswith("/settings/integrations/confirm")
    page = client.get("/settings/integrations/confirm").get_data(as_text=True)
    assert f"Switch to {SECOND_ORG}?" in page and DEMO_ORG in page

    kept = client.post("/settings/integrations/confirm", data={"decision": "keep"},
                       follow_redirects=True)
    assert "Kept the current organisation" in kept.get_data(as_text=True)
    after = connection(live_app)
    assert (after.tenant_id, after.refresh_token_encrypted) == (DEMO_TENANT_ID,
                                                                first.refresh_token_encrypted)


def test_switching_organisation_when_confirmed(client, connector, live_app, live_sandbox):
    connector.connect([DEMO_TENANT_ID])
    old_job = queue_push(live_app, DEMO_TENANT_ID)
    lose_the_grant(live_app, live_sandbox.url)

    connector.connect([SECOND_TENANT_ID])
    switched = client.post("/settings/integrations/confirm", data={"decision": "switch"},
                           follow_redirects=True)
    assert f"Connected to {SECOND_ORG}" in switched.get_data(as_text=True)
    after = connection(live_app)
    assert (after.tenant_id, after.short_code, after.needs_reconnect) == (SECOND_TENANT_ID,
                                                                          "!Wb2xR", False)
    # A push meant for the old organisation must not land in the new one.
    job = push_job(live_app, old_job)
    assert (job.status, job.error_message) == ("failed", OTHER_ORGANISATION)


def test_refresh_token_near_its_end_warns_on_the_page(client, connector, live_app):
    connector.connect()
    with live_app.app_context():
        row = db.session.scalar(sa.select(XeroConnection))
        row.refresh_token_issued_at = utcnow() - timedelta(days=55)
        db.session.commit()
    page = client.get("/settings/integrations/").get_data(as_text=True)
    assert "lapses in 4 days" in page


def test_settings_links_to_integrations_and_purchase_orders(client, user, live_app):
    page = client.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/integrations/"' in page
    assert 'href="/settings/purchase-orders"' in page


def test_purchase_order_settings_are_saved(client, user, live_app):
    assert client.get("/settings/purchase-orders").status_code == 200
    saved = client.post("/settings/purchase-orders", data={"po_save_to_xero_default": "y",
                                                           "po_xero_status": "AUTHORISED"})
    assert saved.status_code == 302
    with live_app.app_context():
        workspace = db.session.scalar(sa.select(Workspace))
        assert workspace.po_save_to_xero_default and workspace.po_xero_status == "AUTHORISED"
    refused = client.post("/settings/purchase-orders", data={"po_xero_status": "PAID"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
