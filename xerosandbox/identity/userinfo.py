"""``GET /connect/userinfo``: the OpenID Connect claims of the token's user."""
from __future__ import annotations

from flask import Response

from ..errors import json_response
from ..state import sandbox
from . import guard, tokens, users
from .blueprint import bp


@bp.get("/connect/userinfo")
def userinfo():
    grant = guard.bearer_grant()
    if isinstance(grant, Response):
        return grant
    if "openid" not in grant.scopes:
        return json_response({"error": "insufficient_scope"}, 403)
    user = users.get(sandbox().store, grant.user_id)
    assert user is not None
    claims = {"sub": tokens.subject(grant.user_id), "xero_userid": grant.user_id}
    if "email" in grant.scopes:
        claims.update(email=user["email"], preferred_username=user["email"])
    if "profile" in grant.scopes:
        claims.update(given_name=user["given_name"], family_name=user["family_name"])
    return json_response(claims)
