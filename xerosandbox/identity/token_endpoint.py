"""``POST /connect/token`` and ``POST /connect/revocation`` (identity.xero.com).

Client authentication: HTTP Basic (xero-node) or client_id/client_secret in the form
(xero-python); a PKCE app sends its client_id alone. Errors: 401 ``invalid_client``, 400
``invalid_request`` / ``unsupported_grant_type`` / ``invalid_grant``
(developer.xero.com/documentation/guides/oauth2/troubleshooting/; RFC 6749 §5.2).
"""
from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from flask import Response, request

from ..errors import json_response, oauth_error
from ..state import sandbox
from . import apps, codes, connections, grants, tokens
from .apps import App
from .blueprint import bp
from .discovery import issuer
from .tokens import GrantError

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _basic_credentials() -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client() -> App | Response:
    """The calling app, or 401 invalid_client."""
    basic = _basic_credentials()
    client_id, secret = basic if basic else (request.form.get("client_id"),
                                             request.form.get("client_secret"))
    app = apps.get(sandbox().store, client_id)
    if app is not None and (app.secret_matches(secret) if not app.is_public else not secret):
        return app
    headers = {"WWW-Authenticate": 'Basic realm="identity"'} if basic else None
    return json_response({"error": "invalid_client"}, 401, headers)


def _refuse_grant(reason: str) -> Response:
    sandbox().stats.incr("token.invalid_grant")
    return oauth_error("invalid_grant", reason)


@bp.post("/connect/token")
def token():
    app = authenticate_client()
    if isinstance(app, Response):
        return app
    grant_type = request.form.get("grant_type")
    if grant_type == "authorization_code":
        return _authorization_code(app)
    if grant_type == "refresh_token":
        return _refresh_token(app)
    return oauth_error("unsupported_grant_type")


def _authorization_code(app: App) -> Response:
    code = request.form.get("code")
    if not code:
        return oauth_error("invalid_request", "code is missing")
    sb = sandbox()
    error: GrantError | None = None
    with sb.store.transaction():  # the code is consumed even when refused: commit either way
        try:
            body = codes.redeem(sb.store, sb.clock.now(), code=code, client_id=app.client_id,
                                redirect_uri=request.form.get("redirect_uri"),
                                verifier=request.form.get("code_verifier"), issuer=issuer())
        except GrantError as exc:
            error = exc
    if error is not None:
        return _refuse_grant(str(error))
    sb.stats.incr("token.authorization_code")
    return json_response(body, headers=_NO_STORE)


def _refresh_token(app: App) -> Response:
    refresh = request.form.get("refresh_token")
    if not refresh:
        return oauth_error("invalid_request", "refresh_token is missing")
    sb = sandbox()
    try:
        with sb.store.transaction():
            body, replay = tokens.rotate(sb.store, sb.clock.now(), refresh, app.client_id, issuer())
    except GrantError as exc:
        return _refuse_grant(str(exc))
    sb.stats.incr("token.refresh_token")
    if replay:
        sb.stats.incr("token.refresh_grace_replay")
    return json_response(body, headers=_NO_STORE)


@bp.post("/connect/revocation")
def revocation():
    """Revoke the grant behind a refresh token: every token of this user for this app, and
    the user's connections to it. Unknown (or another app's) tokens: 200 (RFC 7009 §2.2)."""
    app = authenticate_client()
    if isinstance(app, Response):
        return app
    value = request.form.get("token")
    if not value:
        return oauth_error("invalid_request", "token is missing")
    sb = sandbox()
    with sb.store.transaction():
        owner = tokens.grant_of_refresh_token(sb.store, value)
        if owner is not None and owner[2] == app.client_id:
            _, user_id, client_id = owner
            now = sb.clock.now()
            grants.revoke_all(sb.store, now, user_id, client_id)
            grants.forget_consent(sb.store, user_id, client_id)
            connections.remove_all(sb.store, user_id, client_id)
    if owner is not None and owner[2] == app.client_id:
        sb.stats.incr("revocations")
    return Response(status=200)
