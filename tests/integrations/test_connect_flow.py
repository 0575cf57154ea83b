"""Connect and disconnect through the web routes, against a real sandbox server."""
from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import sqlalchemy as sa

from tests.xero.xero_support import (DEMO_ORG, DEMO_TENANT_ID, SECOND_ORG, SECOND_TENANT_ID,
                                     consent, local_path, mint, point_app_at, refresh_at_sandbox,
                                     sandbox_connections, totals)
from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection, XeroLink


def the_connection(app) -> XeroConnection | None:
    with app.app_context():
        connection = db.session.scalar(sa.select(XeroConnection))
        if connection is not None:
            db.session.expunge(connection)
        return connection


def plaintext_tokens(app) -> tuple[str, str]:
    with app.app_context():
        connection = db.session.scalar(sa.select(XeroConnection))
        return connection.access_token, connection.refresh_token


def test_not_connected_page_offers_connect(client, user, live_app):
    page = client.get("/settings/integrations/")
    assert page.status_code == 200
    assert "Connect to Xero" in page.get_data(as_text=True)
    assert "Not connected" in page.get_data(as_text=True)


def test_connect_stores_the_organisation_and_shows_it(client, connector, live_app, live_sandbox):
    answer = connector.connect()
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/settings/integrations/")

    connection = the_connection(live_app)
    assert (connection.tenant_id, connection.tenant_name) == (DEMO_TENANT_ID, DEMO_ORG)
    assert connection.short_code == "!kT7qP"  # from GET /Organisation, for deep links
    assert connection.connection_id == sandbox_connections(live_sandbox.url)[0]["id"]
    assert connection.connected_by_id is not None
    assert "offline_access" in connection.scopes
    assert totals(live_sandbox.url)["token.authorization_code"] == 1

    page = client.get("/settings/integrations/").get_data(as_text=True)
    assert f"Connected to {DEMO_ORG}" in page
    assert "Ada Lovelace" in page
    assert "Disconnect from Xero" in page
    assert "Renews automatically" in page
    access, refresh = plaintext_tokens(live_app)
    assert access not in page and refresh not in page


def test_tokens_are_encrypted_at_rest(client, connector, live_app):
    connector.connect()
    access, refresh = plaintext_tokens(live_app)
    with live_app.app_context():
        row = db.session.execute(sa.text(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM xero_connections")).one()
    assert refresh not in row.refresh_token_encrypted and access not in row.access_token_encrypted
    uri = live_app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        with live_app.app_context():
            db.session.remove()
            db.engine.dispose()  # flush SQLite's WAL into the file
        assert refresh.encode() not in Path(uri.removeprefix("sqlite:///")).read_bytes()
    # Nor does the browser ever hold one: the session cookie is readable by its owner.
    cookie = client.get_cookie("session")
    assert cookie is None or refresh not in cookie.value


def test_disconnect_deletes_the_connection_at_xero_and_revokes_the_token(client, connector,
                                                                         live_app, live_sandbox):
    connector.connect()
    _, refresh = plaintext_tokens(live_app)
    with live_app.app_context():
        connection = db.session.scalar(sa.select(XeroConnection))
        db.session.add(XeroLink(workspace_id=connection.workspace_id, record_kind="client",
                                record_id=7, tenant_id=DEMO_TENANT_ID, xero_id="c-7"))
        db.session.commit()

    confirm = client.get("/settings/integrations/disconnect")
    assert confirm.status_code == 200
    assert f"Disconnect from {DEMO_ORG}?" in confirm.get_data(as_text=True)
    done = client.post("/settings/integrations/disconnect", follow_redirects=True)
    assert done.status_code == 200
    assert f"Disconnected from {DEMO_ORG}" in done.get_data(as_text=True)
    assert "Connect to Xero" in done.get_data(as_text=True)

    stats = totals(live_sandbox.url)
    assert stats["connections.deleted"] == 1 and stats["revocations"] == 1
    assert sandbox_connections(live_sandbox.url) == []
    refused = refresh_at_sandbox(live_sandbox.url, refresh)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert the_connection(live_app) is None
    with live_app.app_context():  # links stay, so reconnecting resumes with "Update"
        assert db.session.scalar(sa.select(sa.func.count(XeroLink.id))) == 1


def test_disconnect_works_when_xero_already_forgot_the_grant(client, connector, live_app,
                                                            live_sandbox):
    connector.connect()
    _, refresh = plaintext_tokens(live_app)
    requests.post(f"{live_sandbox.url}/connect/revocation", data={"token": refresh},
                  auth=("sandbox-app", "sandbox-secret"), timeout=10)  # removed in Xero

    done = client.post("/settings/integrations/disconnect", follow_redirects=True)
    assert f"Disconnected from {DEMO_ORG}" in done.get_data(as_text=True)
    assert the_connection(live_app) is None


def test_picker_offers_the_organisations_of_this_authorisation(client, connector, live_app):
    answer = connector.connect(tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/choose")
    assert the_connection(live_app) is None  # nothing stored until the user chooses

    picker = client.get("/settings/integrations/choose").get_data(as_text=True)
    assert DEMO_ORG in picker and SECOND_ORG in picker
    chosen = client.post("/settings/integrations/choose", data={"tenant": SECOND_TENANT_ID},
                         follow_redirects=True)
    assert f"Connected to {SECOND_ORG}" in chosen.get_data(as_text=True)
    connection = the_connection(live_app)
    assert (connection.tenant_id, connection.short_code) == (SECOND_TENANT_ID, "!Wb2xR")
    # The pending token set is gone: the picker cannot be replayed.
    assert client.get("/settings/integrations/choose").status_code == 302


def test_picker_refuses_an_organisation_not_granted(client, connector, live_app):
    connector.connect(tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    forged = client.post("/settings/integrations/choose", data={"tenant": "not-granted"})
    assert forged.status_code == 422  # the form again, with its error
    assert "Not a valid choice" in forged.get_data(as_text=True)
    assert the_connection(live_app) is None


def test_earlier_connections_are_not_mistaken_for_this_choice(client, connector, live_app,
                                                             live_sandbox):
    mint(live_sandbox.url, [SECOND_TENANT_ID])  # connected long ago: listed first by /connections
    connector.connect(tenants=[DEMO_TENANT_ID])
    assert the_connection(live_app).tenant_id == DEMO_TENANT_ID


def test_cancel_at_xero_shows_a_friendly_message(client, connector, live_app, live_sandbox):
    answer = connector.connect(action="cancel")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You cancelled at Xero" in page
    assert the_connection(live_app) is None
    assert totals(live_sandbox.url).get("token.authorization_code", 0) == 0


def test_tampered_state_is_refused_and_nothing_stored(client, connector, live_app, live_sandbox):
    callback = urlsplit(connector.callback_url())
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    params["state"] = "forged-" + params["state"]
    answer = client.get(f"{callback.path}?{urlencode(params)}", follow_redirects=True)
    assert "does not match a connection started here" in answer.get_data(as_text=True)
    assert the_connection(live_app) is None
    assert totals(live_sandbox.url).get("token.authorization_code", 0) == 0  # code never sent


def test_replayed_callback_is_refused(client, connector, live_app, live_sandbox):
    callback = connector.callback_url()
    assert client.get(local_path(callback)).status_code == 302
    first = the_connection(live_app)
    replay = client.get(local_path(callback), follow_redirects=True)
    assert "already used" in replay.get_data(as_text=True)
    assert the_connection(live_app).refresh_token_encrypted == first.refresh_token_encrypted
    assert totals(live_sandbox.url)["token.authorization_code"] == 1


def test_unreachable_xero_gives_a_clear_message(client, user, live_app):
    point_app_at(live_app, "http://127.0.0.1:9")  # nothing listens there
    answer = client.post("/settings/integrations/connect", follow_redirects=True)
    assert answer.status_code == 200
    assert "could not reach Xero" in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_xero_unreachable_at_the_callback_stores_nothing(client, connector, live_app):
    callback = connector.callback_url()
    point_app_at(live_app, "http://127.0.0.1:9")  # Xero goes away before the code exchange
    answer = client.get(local_path(callback), follow_redirects=True)
    assert answer.status_code == 200
    assert "could not reach Xero" in answer.get_data(as_text=True)
    assert the_connection(live_app) is None


def test_each_attempt_uses_pkce_and_a_fresh_state(connector, live_app):
    first, second = (parse_qs(urlsplit(connector.start()).query) for _ in range(2))
    for params in (first, second):
        assert params["code_challenge_method"] == ["S256"]
        assert len(params["code_challenge"][0]) >= 43
        assert params["scope"] == [live_app.config["XERO_SCOPES"]]
        assert params["redirect_uri"] == ["http://localhost/settings/integrations/callback"]
    assert first["state"] != second["state"]
    assert first["code_challenge"] != second["code_challenge"]


CONNECT_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>\s*'
                          r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
                          r'<button type="submit"[^>]*>Connect to Xero</button>')


def press_connect_on(client, page_path: str):
    """Press the page's "Connect to Xero" exactly as the browser would: POST its form with
    the token the form itself carries (no help from the test client)."""
    page = client.get(page_path).get_data(as_text=True)
    form = CONNECT_FORM.search(page)
    assert form is not None, f"no Connect to Xero button on {page_path}"
    action, token = form.groups()
    return client.post(html.unescape(action), data={"csrf_token": token}, csrf=False)


@pytest.mark.parametrize("page_path", ["/settings/", "/"])
def test_connect_to_xero_is_one_click_from_settings_and_the_dashboard(client, user, live_app,
                                                                       live_sandbox, page_path):
    answer = press_connect_on(client, page_path)
    assert answer.status_code == 302
    consent_page = requests.get(answer.headers["Location"], timeout=10)
    assert consent_page.url.startswith(f"{live_sandbox.url}/identity/connect/authorize?")
    assert consent_page.status_code == 200
    assert "wants access to your Xero" in consent_page.text
    # and Allow on that page comes back connected
    callback = consent(answer.headers["Location"])
    assert client.get(local_path(callback)).status_code == 302
    assert the_connection(live_app).tenant_id == DEMO_TENANT_ID


def test_the_connect_button_is_refused_without_its_csrf_token(client, user, live_app):
    refused = client.post("/settings/integrations/connect", csrf=False)
    assert refused.status_code == 400
    assert "Location" not in refused.headers


def test_settings_offers_reconnect_in_one_click_once_the_grant_is_lost(client, connector, live_app):
    connector.connect()
    with live_app.app_context():
        db.session.scalar(sa.select(XeroConnection)).needs_reconnect = True
        db.session.commit()
    page = client.get("/settings/").get_data(as_text=True)
    assert "Reconnect to Xero</button>" in page and "Manage the Xero connection" in page
