"""The login and consent page: /identity/connect/authorize (GET shows, POST decides)."""
from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest

from xerosandbox.identity.testing import (CALLBACK, authorize_path, consent, hidden_fields,
                                          pkce_pair, redirect_params, submit)
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID


def test_page_prefills_demo_login_and_lists_orgs_and_scopes(client):
    resp = client.get(authorize_path())
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'value="demo@xero.example"' in html and 'name="password" value="demo"' in html
    assert f'value="{DEMO_TENANT_ID}" checked' in html
    assert f'value="{SECOND_TENANT_ID}">' in html  # offered, not checked
    assert "Sandbox App" in html and "View and manage your contacts" in html
    assert "Allow access" in html and "Cancel" in html
    assert {"request_id", "csrf_token"} <= set(hidden_fields(html))


def test_allow_as_shown_redirects_with_code_and_state_and_connects_demo_company(client):
    resp = consent(client)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith(CALLBACK + "?")
    params = redirect_params(resp)
    assert params["state"] == "st4te" and len(params["code"]) == 64


def test_any_loopback_redirect_uri_is_accepted_for_sandbox_app(client):
    resp = consent(client, redirect_uri="http://127.0.0.1:8123/some/path?keep=1")
    location = urlsplit(resp.headers["Location"])
    assert location.netloc == "127.0.0.1:8123" and location.path == "/some/path"
    assert "keep=1" in location.query and "code=" in location.query


@pytest.mark.parametrize("overrides, text", [
    ({"client_id": "nope"}, "unauthorized_client"),
    ({"redirect_uri": "https://evil.example/cb"}, "Invalid redirect_uri"),
    ({"redirect_uri": None}, "Invalid redirect_uri"),
    ({"scope": "openid accounting.everything"}, "invalid_scope"),
])
def test_unverifiable_requests_show_an_error_page_never_a_redirect(client, overrides, text):
    resp = client.get(authorize_path(**overrides))
    assert resp.status_code == 400 and "Location" not in resp.headers
    assert text in resp.get_data(as_text=True)


def test_registered_app_needs_exact_redirect_uri(client):
    client.post("/_sandbox/apps", json={"client_id": "acme", "client_secret": "s3cret",
                                         "redirect_uris": ["https://acme.example/cb"]})
    assert client.get(authorize_path(client_id="acme", redirect_uri="https://acme.example/cb")
                      ).status_code == 200
    for near_miss in ("https://acme.example/cb/", "https://acme.example/cb?x=1", CALLBACK):
        assert client.get(authorize_path(client_id="acme", redirect_uri=near_miss)).status_code == 400


def test_granular_only_app_is_refused_broad_scopes(client):
    client.post("/_sandbox/apps", json={"client_id": "new-app", "client_secret": "x",
                                         "redirect_uris": [CALLBACK], "granular_only": True})
    broad = client.get(authorize_path(client_id="new-app", scope="openid accounting.transactions"))
    assert broad.status_code == 400 and "Invalid scope for client" in broad.get_data(as_text=True)
    granular = client.get(authorize_path(client_id="new-app", scope="openid accounting.invoices"))
    assert granular.status_code == 200


@pytest.mark.parametrize("overrides, error", [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"code_challenge": pkce_pair()[1], "code_challenge_method": "plain"}, "invalid_request"),
])
def test_other_errors_redirect_back_with_error_and_state(client, overrides, error):
    resp = client.get(authorize_path(**overrides))
    assert resp.status_code == 302
    params = redirect_params(resp)
    assert params["error"] == error and params["state"] == "st4te"
    assert "code" not in params


def test_public_pkce_app_must_send_a_code_challenge(client):
    client.post("/_sandbox/apps", json={"client_id": "spa-ish", "redirect_uris": [CALLBACK]})
    resp = client.get(authorize_path(client_id="spa-ish"))
    assert redirect_params(resp)["error"] == "invalid_request"


def test_cancel_redirects_access_denied_and_connects_nothing(client):
    page = client.get(authorize_path()).get_data(as_text=True)
    resp = submit(client, page, action="cancel")
    assert redirect_params(resp) == {"error": "access_denied", "state": "st4te"}
    tokens = client.post("/_sandbox/tokens", json={"tenants": []}).json
    assert tokens["connections"] == []


def test_wrong_password_rerenders_with_message_and_issues_no_code(client):
    page = client.get(authorize_path()).get_data(as_text=True)
    resp = submit(client, page, password="wrong")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert "email or password is incorrect" in html
    retry = submit(client, html, password="demo")  # the re-rendered form still works
    assert "code" in redirect_params(retry)


def test_no_organisation_chosen_rerenders(client):
    page = client.get(authorize_path()).get_data(as_text=True)
    resp = submit(client, page, tenants=[])
    assert resp.status_code == 200 and "Choose at least one organisation" in resp.get_data(as_text=True)


def test_post_without_matching_browser_cookie_is_refused(client, sandbox_app):
    page = client.get(authorize_path()).get_data(as_text=True)
    other_browser = sandbox_app.test_client()
    resp = submit(other_browser, page)
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_form_token_is_single_use(client):
    page = client.get(authorize_path()).get_data(as_text=True)
    assert submit(client, page).status_code == 302
    assert submit(client, page).status_code == 400


def _connections(client):
    token = client.post("/_sandbox/tokens", json={"tenants": []}).json
    return {c["tenantId"]: c for c in token["connections"]}


def test_reconsent_keeps_connection_id_and_bumps_updated_date(client):
    consent(client)
    first = _connections(client)[DEMO_TENANT_ID]
    client.post("/_sandbox/clock", json={"advance": 60})
    page = client.get(authorize_path()).get_data(as_text=True)
    submit(client, page, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    now = _connections(client)
    again = now[DEMO_TENANT_ID]
    assert again["id"] == first["id"] and again["createdDateUtc"] == first["createdDateUtc"]
    assert again["updatedDateUtc"] > first["updatedDateUtc"]
    assert again["authEventId"] != first["authEventId"]
    assert now[SECOND_TENANT_ID]["authEventId"] == again["authEventId"]  # same consent


def _event_of(client, consent_response) -> str:
    """The authentication_event_id of the access token the consent's code buys."""
    code = redirect_params(consent_response)["code"]
    token = client.post("/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
        "client_id": "sandbox-app", "client_secret": "sandbox-secret"}).json
    payload = token["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))[
        "authentication_event_id"]


def test_with_the_switch_on_a_reconsent_keeps_the_old_auth_event_id(client):
    switched = client.post("/_sandbox/identity", json={"keep_auth_event_on_reconsent": True})
    assert switched.status_code == 200 and switched.json["keep_auth_event_on_reconsent"] is True
    first_event = _event_of(client, consent(client))
    first = _connections(client)[DEMO_TENANT_ID]
    assert first["authEventId"] == first_event
    client.post("/_sandbox/clock", json={"advance": 60})

    page = client.get(authorize_path()).get_data(as_text=True)
    new_event = _event_of(client, submit(client, page, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID]))

    now = _connections(client)
    again = now[DEMO_TENANT_ID]
    assert again["authEventId"] == first_event != new_event  # the token's id matches nothing old
    assert again["id"] == first["id"] and again["updatedDateUtc"] > first["updatedDateUtc"]
    assert now[SECOND_TENANT_ID]["authEventId"] == new_event  # a new connection takes the new id
    assert now[SECOND_TENANT_ID]["updatedDateUtc"] == again["updatedDateUtc"]  # one consent


def test_identity_switches_refuse_bad_input_and_reset_turns_them_off(client):
    assert client.get("/_sandbox/identity").json == {"keep_auth_event_on_reconsent": False}
    assert client.post("/_sandbox/identity", json={"keep_auth_event_on_reconsent": "yes"}).status_code == 400
    assert client.post("/_sandbox/identity", json={"something_else": True}).status_code == 400
    client.post("/_sandbox/identity", json={"keep_auth_event_on_reconsent": True})
    client.post("/_sandbox/reset")
    assert client.get("/_sandbox/identity").json == {"keep_auth_event_on_reconsent": False}


def test_scopes_are_additive_across_consents(client):
    consent(client, scope="openid offline_access accounting.contacts")
    resp = consent(client, scope="openid offline_access accounting.settings")
    granted = redirect_params(resp)["scope"].split()
    assert {"accounting.contacts", "accounting.settings"} <= set(granted)


def test_sign_in_only_shows_no_organisations_and_connects_none(client):
    page = client.get(authorize_path(scope="openid profile email")).get_data(as_text=True)
    assert DEMO_TENANT_ID not in page
    resp = submit(client, page, tenants=[DEMO_TENANT_ID])
    assert "code" in redirect_params(resp)
    assert _connections(client) == {}
