"""OpenID discovery, the JWKS, and what the tokens say (verified as a client would, with
joserfc / Authlib's claim validation)."""
from __future__ import annotations

import base64
import hashlib
import sqlite3

import pytest
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet

import xerosandbox
from xerosandbox.identity.testing import CALLBACK, consent, redirect_params

BASE = "http://localhost"


def _tokens(client, **overrides):
    code = redirect_params(consent(client, **overrides))["code"]
    resp = client.post("/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
        "client_id": "sandbox-app", "client_secret": "sandbox-secret"})
    assert resp.status_code == 200, resp.json
    return resp.json


def _keyset(client) -> KeySet:
    return KeySet.import_key_set(client.get("/.well-known/openid-configuration/jwks").json)


def test_discovery_document_points_at_this_server(client):
    doc = client.get("/.well-known/openid-configuration").json
    assert doc["issuer"] == BASE
    assert doc["authorization_endpoint"] == f"{BASE}/identity/connect/authorize"
    assert doc["token_endpoint"] == f"{BASE}/connect/token"
    assert doc["revocation_endpoint"] == f"{BASE}/connect/revocation"
    assert doc["jwks_uri"] == f"{BASE}/.well-known/openid-configuration/jwks"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert {"openid", "offline_access", "accounting.invoices"} <= set(doc["scopes_supported"])


def test_issuer_follows_the_host_the_caller_used(client):
    doc = client.get("/.well-known/openid-configuration", base_url="http://127.0.0.1:5055").json
    assert doc["issuer"] == "http://127.0.0.1:5055"


def test_jwks_is_a_public_rsa_key(client):
    keys = client.get("/.well-known/openid-configuration/jwks").json["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0] and keys[0]["kid"]


def test_id_token_verifies_with_jwks_and_carries_oidc_claims(client):
    body = _tokens(client, nonce="abc123")
    token = jwt.decode(body["id_token"], _keyset(client), algorithms=["RS256"])
    claims = CodeIDToken(token.claims, token.header, {"iss": {"values": [BASE]}},
                         {"nonce": "abc123", "client_id": "sandbox-app",
                          "access_token": body["access_token"]})
    claims.validate()  # iss, aud, exp, iat, nonce, at_hash
    assert claims["email"] == "demo@xero.example"
    assert claims["given_name"] == "Demo" and claims["family_name"] == "User"
    assert claims["xero_userid"] and claims["sub"] and claims["exp"] - claims["iat"] == 300


def test_wrong_nonce_fails_client_validation(client):
    body = _tokens(client, nonce="abc123")
    token = jwt.decode(body["id_token"], _keyset(client), algorithms=["RS256"])
    claims = CodeIDToken(token.claims, token.header, None,
                         {"nonce": "other", "client_id": "sandbox-app"})
    with pytest.raises(Exception, match="nonce"):
        claims.validate()


def test_access_token_is_an_rs256_jwt_with_xero_claims(client):
    body = _tokens(client)
    claims = jwt.decode(body["access_token"], _keyset(client), algorithms=["RS256"]).claims
    assert claims["exp"] - claims["nbf"] == 1800
    assert claims["iss"] == BASE and claims["client_id"] == "sandbox-app"
    assert isinstance(claims["scope"], list) and "accounting.contacts" in claims["scope"]
    for name in ("sub", "xero_userid", "global_session_id", "authentication_event_id", "jti"):
        assert claims[name]
    connections = client.get("/connections", headers={"Authorization": f"Bearer {body['access_token']}"}).json
    assert claims["authentication_event_id"] == connections[0]["authEventId"]


def test_userinfo_answers_the_users_claims(client):
    body = _tokens(client)
    info = client.get("/connect/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json
    assert info["email"] == "demo@xero.example" and info["given_name"] == "Demo"


def test_signing_key_survives_a_restart_and_tokens_stay_valid(tmp_path):
    db = tmp_path / "sandbox.db"
    first = xerosandbox.create_app(db, control=True).test_client()
    jwks = first.get("/.well-known/openid-configuration/jwks").json
    minted = first.post("/_sandbox/tokens", json={}).json
    second = xerosandbox.create_app(db, control=True).test_client()
    assert second.get("/.well-known/openid-configuration/jwks").json == jwks
    resp = second.get("/connections", headers={"Authorization": f"Bearer {minted['access_token']}"})
    assert resp.status_code == 200 and len(resp.json) == 1


def test_reset_forgets_tokens_but_keeps_the_signing_key(client):
    jwks = client.get("/.well-known/openid-configuration/jwks").json
    minted = client.post("/_sandbox/tokens", json={}).json
    client.post("/_sandbox/reset")
    assert client.get("/.well-known/openid-configuration/jwks").json == jwks
    resp = client.get("/connections", headers={"Authorization": f"Bearer {minted['access_token']}"})
    assert resp.status_code == 401


def test_at_hash_is_the_left_half_of_the_access_token_digest(client):
    body = _tokens(client)
    claims = jwt.decode(body["id_token"], _keyset(client), algorithms=["RS256"]).claims
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_database_from_before_identity_is_given_its_app_user_and_key(tmp_path):
    db = tmp_path / "older.db"
    xerosandbox.create_app(db).extensions["xerosandbox"].store.close()
    conn = sqlite3.connect(db)  # as if identity's tables were added after the first start
    with conn:
        for table in ("identity_apps", "identity_users", "identity_signing_keys"):
            conn.execute(f"DELETE FROM {table}")
    conn.close()
    client = xerosandbox.create_app(db, control=True).test_client()
    assert client.post("/_sandbox/tokens", json={}).status_code == 200
    assert client.get("/.well-known/openid-configuration/jwks").json["keys"]
