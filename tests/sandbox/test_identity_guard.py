"""The Accounting API's identity checks (api.py pipeline steps 1 and 2): Bearer token,
xero-tenant-id, and the view's scopes.

Exercised on a test-only blueprint carrying the same two hooks and a ``requires_scope``
view, so the checks are tested apart from any accounting resource.
"""
from __future__ import annotations

import re

import pytest
from flask import Blueprint, g, jsonify

import xerosandbox
from xerosandbox import api, identity
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

probe = Blueprint("identity_guard_probe", __name__, url_prefix="/_identity_probe")
probe.before_request(identity.authenticate_api_request)
probe.before_request(identity.check_scope)


@probe.get("/items")
@api.requires_scope("accounting.settings", "accounting.settings.read",
                    "accounting.invoices", "accounting.invoices.read")
def items():
    return jsonify(user=g.user_id, client=g.client_id, tenant=g.tenant_id, scopes=sorted(g.scopes))


@probe.post("/items")
@api.requires_scope("accounting.settings", "accounting.invoices")
def save_items():
    return jsonify(saved=True)


@probe.get("/open")
def unmarked():
    return jsonify(ok=True)


@pytest.fixture
def client(sandbox_app):
    sandbox_app.register_blueprint(probe)
    return sandbox_app.test_client()


def _mint(client, **body):
    resp = client.post("/_sandbox/tokens", json=body)
    assert resp.status_code == 200, resp.json
    return resp.json


def _get(client, token_set, tenant=DEMO_TENANT_ID, path="/_identity_probe/items"):
    headers = {"Authorization": f"Bearer {token_set['access_token']}"} if token_set else {}
    if tenant is not None:
        headers["xero-tenant-id"] = tenant
    return client.get(path, headers=headers)


def test_the_pipeline_uses_these_checks():
    hooks = api.bp.before_request_funcs[None]
    assert hooks[:2] == [identity.authenticate_api_request, identity.check_scope]


def test_valid_token_and_tenant_reach_the_view_with_g_set(client):
    tokens = _mint(client)
    resp = _get(client, tokens, tenant=DEMO_TENANT_ID.upper())  # header value is a GUID, any case
    assert resp.status_code == 200
    assert resp.json["tenant"] == DEMO_TENANT_ID and resp.json["client"] == "sandbox-app"
    assert "accounting.settings" in resp.json["scopes"]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not.a.jwt", "Basic abc"])
def test_missing_or_garbage_bearer_is_401(client, authorization):
    headers = {"xero-tenant-id": DEMO_TENANT_ID}
    if authorization:
        headers["Authorization"] = authorization
    resp = client.get("/_identity_probe/items", headers=headers)
    assert resp.status_code == 401
    assert resp.json["Title"] == "Unauthorized" and resp.json["Detail"] == "AuthenticationUnsuccessful"


def test_token_signed_by_another_key_is_401(client):
    foreign = xerosandbox.create_app(None, control=True).test_client()
    tokens = foreign.post("/_sandbox/tokens", json={}).json
    assert _get(client, tokens).status_code == 401


def test_expired_token_is_401_token_expired(client):
    tokens = _mint(client)
    client.post("/_sandbox/clock", json={"advance": 31 * 60})
    resp = _get(client, tokens)
    body = resp.json
    assert resp.status_code == 401
    assert body["Type"] is None and body["Title"] == "Unauthorized" and body["Status"] == 401
    assert re.fullmatch(r"TokenExpired: token expired at \d\d/\d\d/\d{4} \d\d:\d\d:\d\d", body["Detail"])
    assert set(body) == {"Type", "Title", "Status", "Detail", "Instance", "Extensions"}


def test_token_still_good_at_29_minutes(client):
    tokens = _mint(client)
    client.post("/_sandbox/clock", json={"advance": 29 * 60})
    assert _get(client, tokens).status_code == 200


def test_revoked_token_is_401(client):
    tokens = _mint(client)
    client.post("/connect/revocation", data={"token": tokens["refresh_token"],
                                             "client_id": "sandbox-app", "client_secret": "sandbox-secret"})
    assert _get(client, tokens).status_code == 401


@pytest.mark.parametrize("tenant", [None, "", "not-a-guid", "00000000-0000-0000-0000-000000000000",
                                    SECOND_TENANT_ID])
def test_missing_malformed_unknown_or_unconnected_tenant_is_403(client, tenant):
    resp = _get(client, _mint(client), tenant=tenant)
    assert resp.status_code == 403
    assert resp.json["Title"] == "Forbidden" and resp.json["Detail"] == "AuthenticationUnsuccessful"


def test_disconnected_tenant_is_403(client):
    tokens = _mint(client)
    conn = tokens["connections"][0]["id"]
    client.delete(f"/connections/{conn}", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert _get(client, tokens).status_code == 403


def test_another_apps_connection_does_not_count(client):
    client.post("/_sandbox/apps", json={"client_id": "other", "client_secret": "pw",
                                         "redirect_uris": ["https://other.example/cb"]})
    _mint(client, client_id="other", tenants=[SECOND_TENANT_ID])
    assert _get(client, _mint(client), tenant=SECOND_TENANT_ID).status_code == 403


def test_missing_scope_is_401_authorization_unsuccessful_in_lower_case(client):
    tokens = _mint(client, scopes="openid offline_access accounting.contacts")
    resp = _get(client, tokens)
    assert resp.status_code == 401
    assert resp.json["title"] == "Unauthorized" and resp.json["status"] == 401
    assert resp.json["detail"] == "AuthorizationUnsuccessful" and resp.json["instance"]
    assert "insufficient_scope" in resp.headers["WWW-Authenticate"]


@pytest.mark.parametrize("scopes", ["accounting.settings.read", "accounting.invoices",
                                    "accounting.invoices.read"])
def test_any_one_alternative_or_an_implying_scope_suffices(client, scopes):
    assert _get(client, _mint(client, scopes=scopes)).status_code == 200


def test_read_scope_does_not_imply_write(client):
    def post(scopes):
        headers = {"Authorization": f"Bearer {_mint(client, scopes=scopes)['access_token']}",
                   "xero-tenant-id": DEMO_TENANT_ID}
        return client.post("/_identity_probe/items", headers=headers).status_code
    assert post("accounting.settings.read") == 401
    assert post("accounting.settings") == 200


def test_broad_scope_is_not_mapped_onto_granular_ones(client):
    assert _get(client, _mint(client, scopes="accounting.transactions")).status_code == 401


def test_view_without_declared_scopes_needs_only_token_and_tenant(client):
    tokens = _mint(client, scopes="openid")
    assert _get(client, tokens, path="/_identity_probe/open").status_code == 200
