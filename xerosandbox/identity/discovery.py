"""OpenID Connect discovery and the JWKS. The issuer is whatever base URL the caller used,
since the sandbox plays login.xero.com, identity.xero.com and api.xero.com on one port."""
from __future__ import annotations

from flask import request

from ..errors import json_response
from ..state import sandbox
from . import keys, scopes
from .blueprint import bp


def issuer() -> str:
    """This server's base URL as the caller sees it (no trailing slash)."""
    return request.host_url.rstrip("/")


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    base = issuer()
    return json_response({
        "issuer": base,
        "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
        "authorization_endpoint": f"{base}/identity/connect/authorize",
        "token_endpoint": f"{base}/connect/token",
        "userinfo_endpoint": f"{base}/connect/userinfo",
        "revocation_endpoint": f"{base}/connect/revocation",
        "scopes_supported": sorted(scopes.KNOWN),
        "claims_supported": ["sub", "xero_userid", "global_session_id", "authentication_event_id",
                             "email", "preferred_username", "given_name", "family_name",
                             "auth_time", "sid", "amr", "nonce", "at_hash"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [keys.ALG],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": False,
    })


@bp.get("/.well-known/openid-configuration/jwks")
def jwks():
    return json_response(keys.jwks(sandbox().store))
