"""POST /connect/token (code exchange, refresh rotation) and POST /connect/revocation."""
from __future__ import annotations

import base64

import pytest

from xerosandbox.identity.testing import (CALLBACK, authorize_path, consent, pkce_pair,
                                          redirect_params, submit)
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

BASIC = {"Authorization": "Basic " + base64.b64encode(b"sandbox-app:sandbox-secret").decode()}
POST_AUTH = {"client_id": "sandbox-app", "client_secret": "sandbox-secret"}


def _code(client, **overrides) -> str:
    return redirect_params(consent(client, **overrides))["code"]


def _exchange(client, code, *, headers=BASIC, **form):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **form}
    return client.post("/connect/token", data=data, headers=headers)


def _refresh(client, refresh_token):
    return client.post("/connect/token", headers=BASIC,
                       data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def _advance(client, seconds):
    client.post("/_sandbox/clock", json={"advance": seconds})


def _stat(client, name):
    return client.get("/_sandbox/stats").json["totals"].get(name, 0)


def _api_ok(client, access_token):
    return client.get("/connections", headers={"Authorization": f"Bearer {access_token}"}).status_code == 200


def test_code_exchange_with_basic_auth(client):
    resp = _exchange(client, _code(client))
    body = resp.json
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert list(body) == ["id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"]
    assert body["expires_in"] == 1800 and body["token_type"] == "Bearer"
    assert "accounting.contacts" in body["scope"].split()
    assert _api_ok(client, body["access_token"])
    assert _stat(client, "token.authorization_code") == 1


def test_code_exchange_with_client_secret_post(client):
    resp = _exchange(client, _code(client), headers={}, **POST_AUTH)
    assert resp.status_code == 200 and resp.json["refresh_token"]


def test_no_offline_access_no_refresh_token_and_no_openid_no_id_token(client):
    body = _exchange(client, _code(client, scope="accounting.contacts", nonce=None)).json
    assert "refresh_token" not in body and "id_token" not in body and body["access_token"]


@pytest.mark.parametrize("headers, form", [
    ({"Authorization": "Basic " + base64.b64encode(b"sandbox-app:wrong").decode()}, {}),
    ({}, {"client_id": "sandbox-app"}),
    ({}, {"client_id": "nobody", "client_secret": "x"}),
    ({"Authorization": "Basic !!notbase64"}, {}),
])
def test_bad_client_credentials_are_401_invalid_client(client, headers, form):
    resp = _exchange(client, _code(client), headers=headers, **form)
    assert resp.status_code == 401 and resp.json == {"error": "invalid_client"}


def test_unsupported_and_missing_parameters(client):
    assert client.post("/connect/token", headers=BASIC, data={"grant_type": "password"}
                       ).json == {"error": "unsupported_grant_type"}
    assert client.post("/connect/token", headers=BASIC, data={}).json["error"] == "unsupported_grant_type"
    missing = client.post("/connect/token", headers=BASIC, data={"grant_type": "authorization_code"})
    assert missing.status_code == 400 and missing.json["error"] == "invalid_request"


def test_redirect_uri_must_equal_the_authorize_one(client):
    resp = _exchange(client, _code(client), redirect_uri="http://localhost:5000/other")
    assert resp.status_code == 400 and resp.json["error"] == "invalid_grant"
    assert _stat(client, "token.invalid_grant") == 1


def test_code_expires_after_five_minutes(client):
    code = _code(client)
    _advance(client, 301)
    assert _exchange(client, code).json["error"] == "invalid_grant"


def test_reused_code_is_invalid_grant_and_revokes_what_it_issued(client):
    code = _code(client)
    first = _exchange(client, code).json
    again = _exchange(client, code)
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"
    assert not _api_ok(client, first["access_token"])
    assert _refresh(client, first["refresh_token"]).json["error"] == "invalid_grant"


def test_code_issued_to_another_app_is_invalid_grant(client):
    client.post("/_sandbox/apps", json={"client_id": "other", "client_secret": "pw",
                                         "redirect_uris": [CALLBACK]})
    other = {"Authorization": "Basic " + base64.b64encode(b"other:pw").decode()}
    assert _exchange(client, _code(client), headers=other).json["error"] == "invalid_grant"


def test_pkce_public_app_exchanges_with_verifier_and_no_secret(client):
    client.post("/_sandbox/apps", json={"client_id": "pkce-app", "redirect_uris": [CALLBACK]})
    verifier, challenge = pkce_pair()
    code = _code(client, client_id="pkce-app", code_challenge=challenge, code_challenge_method="S256")
    resp = _exchange(client, code, headers={}, client_id="pkce-app", code_verifier=verifier)
    assert resp.status_code == 200 and resp.json["access_token"]


def test_pkce_wrong_verifier_is_invalid_grant_and_burns_the_code(client):
    verifier, challenge = pkce_pair()
    code = _code(client, code_challenge=challenge, code_challenge_method="S256")
    wrong = _exchange(client, code, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json["error"] == "invalid_grant"
    assert _exchange(client, code, code_verifier=verifier).json["error"] == "invalid_grant"


def test_pkce_missing_verifier_is_invalid_grant(client):
    _, challenge = pkce_pair()
    code = _code(client, code_challenge=challenge, code_challenge_method="S256")
    assert _exchange(client, code).json["error"] == "invalid_grant"


# -- refresh rotation -------------------------------------------------------------------------

def _token_set(client):
    return _exchange(client, _code(client)).json


def test_refresh_rotates_to_a_new_refresh_and_access_token(client):
    first = _token_set(client)
    resp = _refresh(client, first["refresh_token"])
    second = resp.json
    assert resp.status_code == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"] and second["expires_in"] == 1800
    assert _api_ok(client, second["access_token"])
    assert _refresh(client, second["refresh_token"]).status_code == 200
    assert _stat(client, "token.refresh_token") == 2


def test_refresh_with_client_secret_post(client):
    first = _token_set(client)
    resp = client.post("/connect/token", data={"grant_type": "refresh_token",
                                               "refresh_token": first["refresh_token"], **POST_AUTH})
    assert resp.status_code == 200


def test_grace_replay_returns_the_same_successor(client):
    first = _token_set(client)
    successor = _refresh(client, first["refresh_token"]).json
    _advance(client, 29 * 60)
    replay = _refresh(client, first["refresh_token"])
    assert replay.status_code == 200 and replay.json == successor
    assert _stat(client, "token.refresh_token") == 2
    assert _stat(client, "token.refresh_grace_replay") == 1


def test_old_refresh_token_after_grace_is_invalid_grant(client):
    first = _token_set(client)
    successor = _refresh(client, first["refresh_token"]).json
    _advance(client, 31 * 60)
    late = _refresh(client, first["refresh_token"])
    assert late.status_code == 400 and late.json["error"] == "invalid_grant"
    assert _refresh(client, successor["refresh_token"]).status_code == 200  # the chain lives on


def test_refresh_token_expires_after_60_days_unused(client):
    first = _token_set(client)
    _advance(client, 59 * 86400)
    kept = _refresh(client, first["refresh_token"]).json  # used in time: rotates
    _advance(client, 60 * 86400 + 1)
    assert _refresh(client, kept["refresh_token"]).json["error"] == "invalid_grant"


def test_refresh_token_of_another_app_is_invalid_grant(client):
    first = _token_set(client)
    client.post("/_sandbox/apps", json={"client_id": "other", "client_secret": "pw",
                                         "redirect_uris": [CALLBACK]})
    resp = client.post("/connect/token", data={"grant_type": "refresh_token", "client_id": "other",
                                               "client_secret": "pw",
                                               "refresh_token": first["refresh_token"]})
    assert resp.json["error"] == "invalid_grant"


# -- revocation --------------------------------------------------------------------------------

def test_revocation_revokes_tokens_and_removes_connections(client):
    first = _token_set(client)
    resp = client.post("/connect/revocation", headers=BASIC, data={"token": first["refresh_token"]})
    assert resp.status_code == 200
    assert not _api_ok(client, first["access_token"])
    assert _refresh(client, first["refresh_token"]).json["error"] == "invalid_grant"
    fresh = client.post("/_sandbox/tokens", json={"tenants": []}).json
    assert fresh["connections"] == []
    assert _stat(client, "revocations") == 1


def test_revocation_ends_every_grant_and_connection_of_that_user_for_that_app(client):
    """xero-python's revoke_token: revocation removes all the user's connections to the app.
    Two consents by one user (one bookkeeper, two workspaces) are two grants, two refresh
    tokens; revoking either ends both. Another app's grant of the same user is untouched."""
    client.post("/_sandbox/apps", json={"client_id": "other", "client_secret": "pw",
                                         "redirect_uris": ["https://other.example/cb"]})
    theirs = client.post("/_sandbox/tokens", json={"client_id": "other"}).json
    first = _token_set(client)  # Demo Company
    page = client.get(authorize_path()).get_data(as_text=True)
    second = _exchange(client, redirect_params(submit(client, page, tenants=[SECOND_TENANT_ID]))["code"]).json
    assert second["refresh_token"] != first["refresh_token"]

    client.post("/connect/revocation", headers=BASIC, data={"token": first["refresh_token"]})

    assert not _api_ok(client, second["access_token"])
    assert _refresh(client, second["refresh_token"]).json["error"] == "invalid_grant"
    assert client.post("/_sandbox/tokens", json={"tenants": []}).json["connections"] == []
    listed = client.get("/connections", headers={"Authorization": f"Bearer {theirs['access_token']}"})
    assert [c["tenantId"] for c in listed.json] == [DEMO_TENANT_ID]
    refreshed = client.post("/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": theirs["refresh_token"],
        "client_id": "other", "client_secret": "pw"})
    assert refreshed.status_code == 200


def test_revocation_also_cuts_the_rotated_successor(client):
    first = _token_set(client)
    successor = _refresh(client, first["refresh_token"]).json
    client.post("/connect/revocation", data={"token": first["refresh_token"], **POST_AUTH})
    assert _refresh(client, successor["refresh_token"]).json["error"] == "invalid_grant"
    assert _refresh(client, first["refresh_token"]).json["error"] == "invalid_grant"  # no grace


def test_revocation_of_unknown_token_is_200_and_bad_client_401(client):
    assert client.post("/connect/revocation", headers=BASIC, data={"token": "nope"}).status_code == 200
    bad = client.post("/connect/revocation", data={"token": "nope", "client_id": "sandbox-app",
                                                   "client_secret": "wrong"})
    assert bad.status_code == 401 and bad.json == {"error": "invalid_client"}
    assert _stat(client, "revocations") == 0
