"""The Bearer and tenant checks in front of the Accounting API (pipeline steps 1 and 2 of
api.py) and of ``/connections``. Shapes and statuses are Xero's
(developer.xero.com/documentation/guides/oauth2/troubleshooting/)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Response, current_app, g, request

from ..errors import json_response, problem
from ..state import sandbox
from . import connections, keys, scopes, tokens
from .grants import Grant

_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def _unauthorized(detail: str = "AuthenticationUnsuccessful") -> Response:
    return problem(401, "Unauthorized", detail, headers=_INVALID_TOKEN)


def _expired_at(exp: int) -> str:
    return datetime.fromtimestamp(exp, tz=timezone.utc).strftime("%m/%d/%Y %H:%M:%S")


def bearer_grant() -> Grant | Response:
    """The live grant behind the request's access token, or the 401 Xero answers."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized()
    sb = sandbox()
    claims = keys.verified_claims(sb.store, token.strip())
    if claims is None or not isinstance(claims.get("exp"), int) or "jti" not in claims:
        return _unauthorized()
    if sb.clock.now() >= claims["exp"]:
        return _unauthorized(f"TokenExpired: token expired at {_expired_at(claims['exp'])}")
    grant = tokens.live_access_token(sb.store, str(claims["jti"]))
    if grant is None:  # revoked (or from before a reset)
        return _unauthorized()
    return grant


def _valid_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def authenticate_api_request() -> Response | None:
    """Step 1: Bearer token, then ``xero-tenant-id`` (missing, malformed, unknown or not
    connected for this user and app: 403 AuthenticationUnsuccessful)."""
    grant = bearer_grant()
    if isinstance(grant, Response):
        return grant
    header = request.headers.get("xero-tenant-id", "").strip()
    tenant_id = (connections.connected_tenant(sandbox().store, grant.user_id, grant.client_id, header)
                 if _valid_guid(header) else None)
    if tenant_id is None:
        return problem(403, "Forbidden", "AuthenticationUnsuccessful")
    g.user_id, g.client_id = grant.user_id, grant.client_id
    g.scopes = set(grant.scopes)
    g.tenant_id = tenant_id
    return None


def check_scope() -> Response | None:
    """Step 2: the view's ``required_scopes`` (any one suffices) against the token's scopes.
    Xero answers this one with lower-case keys (as reported in
    github.com/XeroAPI/Xero-NetStandard/issues/97)."""
    view = current_app.view_functions.get(request.endpoint or "")
    required = getattr(view, "required_scopes", None)
    if not required or scopes.satisfies(g.scopes, required):
        return None
    return json_response(
        {"title": "Unauthorized", "status": 401, "detail": "AuthorizationUnsuccessful",
         "instance": str(uuid.uuid4())},
        status=401, headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
