"""Connecting to Xero with Authlib: authorization code + PKCE (S256), and revocation.

Endpoints come from the XERO_*_URL settings (real Xero by default, the sandbox in development
and tests): the authorize page on the login host, the token endpoint on the identity host, and
the identity host's discovery document for the issuer and JWKS Authlib checks the id_token
against. Authlib makes a fresh ``state`` (and nonce) per attempt and checks it on return; a
callback whose state is unknown — tampered with, or already used — raises MismatchingStateError
before any code is exchanged.

The client is built per app (``app.extensions``) rather than registered on the module-level
``extensions.oauth`` registry: that registry caches one client per process, so two apps in one
process (tests, a benchmark) pointing at different Xero URLs would share the first one's.
"""
from __future__ import annotations

import httpx
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Flask, current_app

from xeroapp.xero.errors import TransportError
from xeroapp.xero.http import client_credentials, http_client, identity_url

EXTENSION_KEY = "xeroapp.xero.oauth"
# Seconds before Authlib's own calls (discovery, JWKS, code exchange) give up.
TIMEOUT = 15


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions[EXTENSION_KEY] = FlaskOAuth2App(
        FlaskIntegration("xero"), "xero",
        client_id=config["XERO_CLIENT_ID"],
        client_secret=config["XERO_CLIENT_SECRET"],
        authorize_url=config["XERO_LOGIN_URL"] + "/identity/connect/authorize",
        access_token_url=config["XERO_IDENTITY_URL"] + "/connect/token",
        server_metadata_url=config["XERO_IDENTITY_URL"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": config["XERO_SCOPES"], "code_challenge_method": "S256",
                       "token_endpoint_auth_method": "client_secret_basic",
                       "default_timeout": TIMEOUT},
    )


def xero_oauth() -> FlaskOAuth2App:
    return current_app.extensions[EXTENSION_KEY]


def revoke_refresh_token(refresh_token: str) -> None:
    """POST /connect/revocation. Xero answers 200 even for a token it no longer knows, which is
    what makes disconnecting work after the grant was already removed on Xero's side."""
    try:
        with http_client() as http:
            response = http.post(identity_url("/connect/revocation"), auth=client_credentials(),
                                 data={"token": refresh_token, "token_type_hint": "refresh_token"})
    except httpx.TransportError as exc:
        raise TransportError.from_httpx(exc) from exc
    if response.status_code >= 400:
        raise TransportError(f"Xero refused the revocation ({response.status_code}).")
