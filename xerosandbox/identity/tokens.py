"""Token sets: RS256 access tokens and id_tokens, opaque rotating refresh tokens.

Lifetimes (developer.xero.com/faq/oauth2): access 30 min, refresh 60 days unused, a rotated
refresh token keeps answering the same successor for a 30-minute grace, id_token 5 min.

Times: access and refresh tokens are judged by the sandbox itself, so they use the sandbox
clock. The id_token is judged only by the client, against its real clock (Authlib refuses
an ``iat`` more than 2 minutes in the future), so its times are real wall-clock time; with
the sandbox clock advanced or sped up, a client could otherwise never log in again.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from typing import Any

from ..store import Store, dumps, loads
from . import grants, keys, users
from .grants import Grant

ACCESS_TTL = 30 * 60
REFRESH_TTL = 60 * 24 * 3600
REFRESH_GRACE = 30 * 60
ID_TOKEN_TTL = 5 * 60


class GrantError(Exception):
    """The token request is refused with ``invalid_grant``."""


def subject(user_id: str) -> str:
    """Xero's ``sub`` is an opaque per-user id distinct from ``xero_userid``."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:32]


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _access_token(store: Store, now: float, grant: Grant, issuer: str) -> str:
    jti = uuid.uuid4().hex.upper()
    claims = {
        "nbf": int(now), "exp": int(now) + ACCESS_TTL, "iss": issuer, "aud": f"{issuer}/resources",
        "client_id": grant.client_id, "sub": subject(grant.user_id), "auth_time": int(grant.auth_time),
        "xero_userid": grant.user_id, "global_session_id": grant.global_session_id,
        "sid": grant.global_session_id, "jti": jti, "authentication_event_id": grant.auth_event_id,
        "scope": list(grant.scopes), "amr": ["pwd"],
    }
    store.execute("INSERT INTO identity_access_tokens (jti, grant_id, issued_utc, expires_utc) "
                  "VALUES (?,?,?,?)", (jti, grant.grant_id, now, claims["exp"]))
    return keys.sign(store, claims)


def _id_token(store: Store, grant: Grant, issuer: str, access_token: str,
              nonce: str | None) -> str:
    user = users.get(store, grant.user_id)
    assert user is not None
    wall = int(time.time())  # see the module docstring: judged by the client's real clock
    claims: dict[str, Any] = {
        "nbf": wall, "exp": wall + ID_TOKEN_TTL, "iat": wall, "iss": issuer, "aud": grant.client_id,
        "at_hash": _at_hash(access_token), "sid": grant.global_session_id,
        "sub": subject(grant.user_id), "auth_time": int(grant.auth_time), "amr": ["pwd"],
        "xero_userid": grant.user_id, "global_session_id": grant.global_session_id,
    }
    if "email" in grant.scopes:
        claims.update(email=user["email"], preferred_username=user["email"])
    if "profile" in grant.scopes:
        claims.update(given_name=user["given_name"], family_name=user["family_name"])
    if nonce:
        claims["nonce"] = nonce
    return keys.sign(store, claims)


def issue(store: Store, now: float, grant: Grant, issuer: str, *, nonce: str | None = None) -> dict:
    """A token response in Xero's field order; refresh token only with offline_access,
    id_token only with openid."""
    access = _access_token(store, now, grant, issuer)
    body: dict[str, Any] = {}
    if "openid" in grant.scopes:
        body["id_token"] = _id_token(store, grant, issuer, access, nonce)
    body.update(access_token=access, expires_in=ACCESS_TTL, token_type="Bearer")
    if "offline_access" in grant.scopes:
        refresh = secrets.token_hex(32).upper()
        store.execute("INSERT INTO identity_refresh_tokens (token, grant_id, issued_utc, expires_utc) "
                      "VALUES (?,?,?,?)", (refresh, grant.grant_id, now, now + REFRESH_TTL))
        body["refresh_token"] = refresh
    body["scope"] = " ".join(grant.scopes)
    return body


def rotate(store: Store, now: float, refresh_token: str, client_id: str,
           issuer: str) -> tuple[dict, bool]:
    """Exchange a refresh token: (token response, was_grace_replay). Call inside a
    transaction. Raises GrantError when expired, revoked, foreign or past its grace."""
    row = store.one("SELECT * FROM identity_refresh_tokens WHERE token = ?", (refresh_token,))
    grant = grants.get(store, row["grant_id"]) if row else None
    if grant is None or grant.client_id != client_id:
        raise GrantError("unknown, revoked or another app's refresh token")
    if row["used_utc"] is not None:
        if now - row["used_utc"] <= REFRESH_GRACE:
            return loads(row["successor"]), True
        raise GrantError("refresh token already used; its grace period is over")
    if now >= row["expires_utc"]:
        raise GrantError("refresh token expired")
    body = issue(store, now, grant, issuer)
    store.execute("UPDATE identity_refresh_tokens SET used_utc = ?, successor = ? WHERE token = ?",
                  (now, dumps(body), refresh_token))
    return body, False


def grant_of_refresh_token(store: Store, refresh_token: str) -> tuple[str, str, str] | None:
    """(grant_id, user_id, client_id) of a refresh token, whatever its state."""
    row = store.one("SELECT g.grant_id, g.user_id, g.client_id FROM identity_refresh_tokens r "
                    "JOIN identity_grants g ON g.grant_id = r.grant_id WHERE r.token = ?",
                    (refresh_token,))
    return (row["grant_id"], row["user_id"], row["client_id"]) if row else None


def live_access_token(store: Store, jti: str) -> Grant | None:
    """The grant behind an access token, or None when unknown or revoked."""
    row = store.one("SELECT grant_id FROM identity_access_tokens WHERE jti = ?", (jti,))
    return grants.get(store, row["grant_id"]) if row else None
