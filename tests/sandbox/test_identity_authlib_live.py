"""The whole login against a real sandbox server, driven by Authlib as the app uses it:
the Flask client (discovery, PKCE, nonce, id_token validation with the JWKS) and the
requests-based OAuth2Session (code exchange, refresh rotation, revocation)."""
from __future__ import annotations

from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, jsonify

from xerosandbox.identity.testing import SCOPES, hidden_fields
from xerosandbox.orgs import DEMO_TENANT_ID

RP_CALLBACK = "http://localhost/callback"


def _consent_in_browser(authorize_url: str) -> str:
    """What a user's browser does: open the page, submit it as shown. The callback URL."""
    with requests.Session() as browser:  # keeps the sandbox's browser cookie, like a browser
        page = browser.get(authorize_url, timeout=10)
        assert page.status_code == 200
        form = {**hidden_fields(page.text), "action": "allow", "email": "demo@xero.example",
                "password": "demo", "tenant": DEMO_TENANT_ID}
        answer = browser.post(page.url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def _relying_party(sandbox_url: str) -> Flask:
    rp = Flask("relying_party")
    rp.secret_key = "test"
    oauth = OAuth(rp)
    oauth.register("xero", client_id="sandbox-app", client_secret="sandbox-secret",
                   server_metadata_url=f"{sandbox_url}/.well-known/openid-configuration",
                   client_kwargs={"scope": SCOPES, "code_challenge_method": "S256"})

    @rp.get("/login")
    def login():
        return oauth.xero.authorize_redirect(RP_CALLBACK)

    @rp.get("/callback")
    def callback():
        token = oauth.xero.authorize_access_token()  # validates the id_token, nonce included
        return jsonify(token=token, email=token["userinfo"]["email"])

    return rp


def test_authlib_flask_client_completes_the_login(fresh_sandbox):
    rp = _relying_party(fresh_sandbox).test_client()
    start = rp.get("/login")
    assert start.headers["Location"].startswith(f"{fresh_sandbox}/identity/connect/authorize?")
    callback = urlsplit(_consent_in_browser(start.headers["Location"]))
    done = rp.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.json["email"] == "demo@xero.example"
    access = done.json["token"]["access_token"]
    listed = requests.get(f"{fresh_sandbox}/connections", timeout=10,
                          headers={"Authorization": f"Bearer {access}"}).json()
    assert [c["tenantId"] for c in listed] == [DEMO_TENANT_ID]


def test_oauth2_session_exchanges_refreshes_and_revokes(fresh_sandbox):
    meta = requests.get(f"{fresh_sandbox}/.well-known/openid-configuration", timeout=10).json()
    with OAuth2Session("sandbox-app", "sandbox-secret", scope=SCOPES, code_challenge_method="S256",
                       redirect_uri="http://127.0.0.1:9999/cb") as session:
        verifier = "v" * 64
        url, _state = session.create_authorization_url(meta["authorization_endpoint"],
                                                       code_verifier=verifier)
        token = session.fetch_token(meta["token_endpoint"], code_verifier=verifier,
                                    authorization_response=_consent_in_browser(url))
        assert token["expires_in"] == 1800 and token["refresh_token"]

        rotated = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
        assert rotated["refresh_token"] != token["refresh_token"]

        revoked = session.revoke_token(meta["revocation_endpoint"], rotated["refresh_token"],
                                       token_type_hint="refresh_token")
        assert revoked.status_code == 200
    after = requests.get(f"{fresh_sandbox}/connections", timeout=10,
                         headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert after.status_code == 401
