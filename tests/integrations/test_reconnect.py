"""Losing the grant, the banner, reconnecting (same or another organisation), token health,
and the Purchase orders settings page."""
from __future__ import annotations

from datetime import timedelta

import requests
import sqlalchemy as sa

from xero_support import (DEMO_ORG, DEMO_TENANT_ID, SECOND_ORG, SECOND_TENANT_ID,
                          expire_access_token)
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import Workspace
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.queue import get_queue
from xeroapp.sync.outbox import OTHER_ORGANISATION, PUSH_FUNCTION, RECONNECT_REASON, rq_job_id
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
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
