"""One bookkeeper, two workspaces, one Xero user: revoking a refresh token at Xero ends every
grant of that user to our app, so disconnecting one workspace must leave the other working."""
from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from tests.xero.xero_support import (DEMO_TENANT_ID, SECOND_TENANT_ID, expire_access_token,
                                     refresh_at_sandbox, sandbox_connections, totals)
from xeroapp.extensions import db
from xeroapp.models import Client
from xeroapp.models.workspace import Workspace
from xeroapp.models.xero import XeroConnection

HTMX = {"HX-Request": "true"}
BEA = {"workspace_name": "Beta Ltd", "name": "Bea Bookkeeper", "email": "bea@example.com",
       "password": "another horse", "confirm": "another horse"}


@pytest.fixture
def second_desk(live_app, user, make_connector):
    """Another workspace in another browser, signed up by the same bookkeeper (who logs in
    at Xero as the same Xero user, the sandbox's demo user)."""
    browser = live_app.test_client()
    assert browser.post("/auth/signup", data=BEA).status_code == 302
    return make_connector(browser)


def workspace_connection(app, workspace_name: str) -> XeroConnection | None:
    with app.app_context():
        row = db.session.scalar(sa.select(XeroConnection).join(Workspace).where(
            Workspace.name == workspace_name))
        if row is not None:
            db.session.expunge(row)
        return row


def refresh_token_of(app, workspace_name: str) -> str:
    with app.app_context():
        return workspace_connection(app, workspace_name).refresh_token


def push_a_client(app, desk, worker, name: str) -> None:
    with app.app_context():
        workspace_id = db.session.scalar(sa.select(Workspace.id).where(Workspace.name == "Beta Ltd"))
        record = Client(workspace_id=workspace_id, name=name)
        db.session.add(record)
        db.session.commit()
        record_id = record.id
    assert desk.client.post(f"/xero/client/{record_id}/push", headers=HTMX).status_code == 200
    worker()


def contact_names(sandbox_url: str, tenant_id: str) -> list[str]:
    held = requests.get(f"{sandbox_url}/_sandbox/objects/{tenant_id}/contacts", timeout=10)
    return [c["Name"] for c in held.json()["Contacts"]]


@pytest.mark.parametrize("beta_tenant", [SECOND_TENANT_ID, DEMO_TENANT_ID],
                         ids=["other-organisation", "same-organisation"])
def test_disconnecting_one_workspace_leaves_the_other_pushing(client, connector, second_desk,
                                                             live_app, live_sandbox, worker,
                                                             beta_tenant):
    connector.connect([DEMO_TENANT_ID])           # Acme Ltd
    second_desk.connect([beta_tenant])             # Beta Ltd, same Xero user
    beta = workspace_connection(live_app, "Beta Ltd")
    acme = workspace_connection(live_app, "Acme Ltd")
    assert beta.xero_user_id and beta.xero_user_id == acme.xero_user_id
    beta_refresh = refresh_token_of(live_app, "Beta Ltd")

    done = client.post("/settings/integrations/disconnect", follow_redirects=True)
    assert "Disconnected from" in done.get_data(as_text=True)

    assert workspace_connection(live_app, "Acme Ltd") is None
    stats = totals(live_sandbox.url)
    assert stats.get("revocations", 0) == 0     # Beta's grant would have ended with it
    still = {c["tenantId"] for c in sandbox_connections(live_sandbox.url)}
    if beta_tenant == DEMO_TENANT_ID:           # one connection, shared: left in place
        assert still == {DEMO_TENANT_ID} and stats.get("connections.deleted", 0) == 0
    else:                                       # Acme's own connection is gone
        assert still == {SECOND_TENANT_ID} and stats["connections.deleted"] == 1

    # Beta still works, through a refresh of its own grant.
    expire_access_token(live_app, beta.id)
    push_a_client(live_app, second_desk, worker, "Harbour Café")
    assert "Harbour Café" in contact_names(live_sandbox.url, beta_tenant)
    assert not workspace_connection(live_app, "Beta Ltd").needs_reconnect
    assert refresh_token_of(live_app, "Beta Ltd") != beta_refresh


def test_the_last_workspace_to_disconnect_revokes_the_grant(client, connector, second_desk,
                                                           live_app, live_sandbox):
    connector.connect([DEMO_TENANT_ID])
    second_desk.connect([SECOND_TENANT_ID])
    client.post("/settings/integrations/disconnect")
    beta_refresh = refresh_token_of(live_app, "Beta Ltd")

    done = second_desk.client.post("/settings/integrations/disconnect", follow_redirects=True)

    assert "Disconnected from" in done.get_data(as_text=True)
    assert totals(live_sandbox.url)["revocations"] == 1
    assert sandbox_connections(live_sandbox.url) == []
    refused = refresh_at_sandbox(live_sandbox.url, beta_refresh)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
