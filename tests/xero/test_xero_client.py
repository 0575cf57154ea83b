"""XeroClient against the sandbox (in-process through httpx's WSGI transport): tokens,
tenant header, refresh before expiry and on 401, and Xero's errors as typed exceptions."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.xero.xero_support import DEMO_TENANT_ID, expire_access_token, store_connection
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.sync.reconnect import RECONNECT_REASON
from xeroapp.xero import client as xero_client
from xeroapp.xero.client import MAX_URL_LENGTH, XeroClient
from xeroapp.xero.errors import (NotConnected, NotFound, QueryTooLong, RateLimited,
                                 ReconnectRequired, TransportError, Unavailable, ValidationError)


def sandbox_post(sandbox, path: str, body: dict | None = None):
    response = sandbox.test_client().post(path, json=body or {})
    assert response.status_code < 300, response.get_data(as_text=True)
    return response.get_json(silent=True)


def stat(sandbox, name: str) -> int:
    return sandbox.test_client().get("/_sandbox/stats").get_json()["totals"].get(name, 0)


@pytest.fixture
def connected(xero_app, sandbox, records):
    """(workspace id, connection id) of a workspace connected to Demo Company."""
    workspace_id = records.workspace()
    token_set = sandbox_post(sandbox, "/_sandbox/tokens", {"tenants": [DEMO_TENANT_ID]})
    return workspace_id, store_connection(xero_app, workspace_id, token_set)


def stored(app, connection_id: int) -> XeroConnection:
    with app.app_context():
        connection = db.session.get(XeroConnection, connection_id)
        db.session.expunge(connection)
        return connection


def test_reads_the_organisation_with_the_tenant_header(xero_app, connected):
    workspace_id, _ = connected
    with xero_app.app_context():
        organisation = XeroClient.for_workspace(workspace_id).organisation()
    assert organisation["Name"] == "Demo Company (Sandbox)"
    assert organisation["ShortCode"] == "!kT7qP"


def test_valid_token_is_used_without_refreshing(xero_app, sandbox, connected):
    workspace_id, _ = connected
    with xero_app.app_context():
        client = XeroClient.for_workspace(workspace_id)
        client.organisation()
        client.connections()
    assert stat(sandbox, "token.refresh_token") == 0


def test_refreshes_before_expiry_and_stores_the_rotated_token(xero_app, sandbox, connected):
    workspace_id, connection_id = connected
    before = stored(xero_app, connection_id)
    expire_access_token(xero_app, connection_id)
    with xero_app.app_context():
        XeroClient.for_workspace(workspace_id).organisation()
    after = stored(xero_app, connection_id)
    assert stat(sandbox, "token.refresh_token") == 1
    assert after.refresh_token_encrypted != before.refresh_token_encrypted
    with xero_app.app_context():
        assert after.refresh_token != before.refresh_token
        assert after.access_token_expires_at > utcnow() + timedelta(minutes=29)


def test_token_expired_at_xero_is_refreshed_once_and_the_call_retried(xero_app, sandbox, connected):
    workspace_id, connection_id = connected
    sandbox_post(sandbox, "/_sandbox/clock", {"advance": 1900})  # our clock still says "valid"
    with xero_app.app_context():
        organisation = XeroClient.for_workspace(workspace_id).organisation()
    assert organisation["OrganisationID"] == DEMO_TENANT_ID
    assert stat(sandbox, "token.refresh_token") == 1


def test_invalid_grant_marks_the_connection_and_parks_pending_pushes(xero_app, sandbox, connected):
    workspace_id, connection_id = connected
    with xero_app.app_context():
        refresh_token = db.session.get(XeroConnection, connection_id).refresh_token
        db.session.add_all([
            PushJob(workspace_id=workspace_id, record_kind="client", record_id=1, action="send",
                    status="queued", tenant_id=DEMO_TENANT_ID),
            PushJob(workspace_id=workspace_id, record_kind="client", record_id=2, action="send",
                    status="done", tenant_id=DEMO_TENANT_ID),
        ])
        db.session.commit()
    revoked = sandbox.test_client().post("/connect/revocation", data={"token": refresh_token},
                                         auth=("sandbox-app", "sandbox-secret"))
    assert revoked.status_code == 200
    expire_access_token(xero_app, connection_id)

    with xero_app.app_context(), pytest.raises(ReconnectRequired):
        XeroClient.for_workspace(workspace_id).organisation()

    with xero_app.app_context():
        connection = db.session.get(XeroConnection, connection_id)
        assert connection.needs_reconnect and connection.needs_reconnect_reason
        jobs = {j.record_id: j for j in db.session.scalars(sa.select(PushJob))}
        assert (jobs[1].status, jobs[1].error_kind, jobs[1].error_message) == (
            "waiting", "reconnect", RECONNECT_REASON)
        assert jobs[2].status == "done"
    # Marked: the next call does not even try Xero.
    calls_before = stat(sandbox, "token.invalid_grant")
    with xero_app.app_context(), pytest.raises(ReconnectRequired):
        XeroClient.for_workspace(workspace_id).connections()
    assert stat(sandbox, "token.invalid_grant") == calls_before


def test_organisation_disconnected_in_xero_is_reconnect_required(xero_app, sandbox, connected):
    workspace_id, connection_id = connected
    with xero_app.app_context():
        client = XeroClient.for_workspace(workspace_id)
        xero_connection_id = db.session.get(XeroConnection, connection_id).connection_id
        client.delete_connection(xero_connection_id)  # as if removed in Xero's app settings
        with pytest.raises(ReconnectRequired) as caught:
            client.organisation()
        assert caught.value.status == 403
        assert db.session.get(XeroConnection, connection_id).needs_reconnect


def test_validation_errors_carry_every_elements_messages(xero_app, connected):
    workspace_id, _ = connected
    contacts = {"Contacts": [{"Name": "Fine Ltd"}, {"EmailAddress": "no-name@example.com"},
                             {"Name": "x" * 300}]}
    with xero_app.app_context(), pytest.raises(ValidationError) as caught:
        XeroClient.for_workspace(workspace_id).accounting("PUT", "Contacts", json=contacts)
    assert caught.value.status == 400
    assert len(caught.value.elements) >= 2
    assert all(element.messages for element in caught.value.elements)
    assert str(caught.value)  # plain words for the panel


def test_rate_limit_is_raised_with_retry_after_and_problem(xero_app, sandbox, connected):
    workspace_id, _ = connected
    sandbox_post(sandbox, "/_sandbox/faults", {"next": ["429"], "retry_after": 42})
    with xero_app.app_context(), pytest.raises(RateLimited) as caught:
        XeroClient.for_workspace(workspace_id).organisation()
    assert caught.value.retry_after == 42
    assert caught.value.problem


def test_offline_organisation_is_unavailable(xero_app, sandbox, connected):
    workspace_id, _ = connected
    sandbox_post(sandbox, f"/_sandbox/orgs/{DEMO_TENANT_ID}", {"offline": True})
    with xero_app.app_context(), pytest.raises(Unavailable) as caught:
        XeroClient.for_workspace(workspace_id).organisation()
    assert caught.value.status == 503


def test_missing_object_is_not_found(xero_app, connected):
    workspace_id, _ = connected
    with xero_app.app_context(), pytest.raises(NotFound):
        XeroClient.for_workspace(workspace_id).accounting("GET", f"Contacts/{uuid.uuid4()}")


def test_a_search_longer_than_xero_takes_is_refused_before_calling(xero_app, sandbox, connected):
    workspace_id, _ = connected
    before = stat(sandbox, "calls")
    with xero_app.app_context():
        client = XeroClient.for_workspace(workspace_id)
        fits = client.room("Contacts", "where") - len("Name%3D%3D%22%22")  # as encoded

        def where(length: int) -> dict:
            return {"where": 'Name=="' + "x" * length + '"'}
        assert client.accounting("GET", "Contacts", params=where(fits))["Contacts"] == []
        with pytest.raises(QueryTooLong, match=f"a URL of {MAX_URL_LENGTH + 1} characters"):
            client.accounting("GET", "Contacts", params=where(fits + 1))
    assert stat(sandbox, "calls") - before == 1  # the second never left


def test_a_search_xeros_servers_refuse_is_query_too_long_not_a_missing_object(
        xero_app, connected, monkeypatch):
    """Their 404 page for a long query string must not read as "not found" (or crash)."""
    workspace_id, _ = connected
    monkeypatch.setattr(xero_client, "MAX_URL_LENGTH", 10_000)
    with xero_app.app_context(), pytest.raises(QueryTooLong, match="HTTP 404") as caught:
        XeroClient.for_workspace(workspace_id).accounting(
            "GET", "Contacts", params={"where": 'Name=="' + "x" * 2100 + '"'})
    assert caught.value.status == 404


def test_unreachable_xero_is_a_transport_error(xero_app, connected):
    workspace_id, _ = connected
    xero_app.config["XERO_HTTP_TRANSPORT"] = None
    xero_app.config["XERO_API_URL"] = "http://127.0.0.1:9"  # discard port: refused
    with xero_app.app_context(), pytest.raises(TransportError):
        XeroClient.for_workspace(workspace_id).organisation()


def test_workspace_without_connection_is_not_connected(xero_app, records):
    workspace_id = records.workspace()
    with xero_app.app_context(), pytest.raises(NotConnected):
        XeroClient.for_workspace(workspace_id)
