"""Authorization codes: single use, 5 minutes, bound to client, redirect URI and PKCE.

As IdentityServer (which Xero's identity service is built on) does, a code is consumed by
the first exchange attempt from its client whatever the outcome; presenting it again is
treated as theft and revokes the tokens the first exchange issued (RFC 6749 §4.1.2).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from ..store import Store
from . import grants, scopes as scope_words, tokens
from .tokens import GrantError

CODE_TTL = 5 * 60
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def create(store: Store, now: float, *, client_id: str, user_id: str, redirect_uri: str,
           scopes: list[str], nonce: str | None, code_challenge: str | None,
           auth_event_id: str) -> str:
    code = secrets.token_hex(32).upper()
    store.execute(
        "INSERT INTO identity_codes (code, client_id, user_id, redirect_uri, scopes, nonce, "
        "code_challenge, auth_event_id, created_utc, expires_utc) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (code, client_id, user_id, redirect_uri, scope_words.join(scopes), nonce, code_challenge,
         auth_event_id, now, now + CODE_TTL))
    return code


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _pkce_ok(challenge: str | None, verifier: str | None) -> bool:
    if challenge is None:
        return True  # a confidential client that did not use PKCE (xero-python)
    if not verifier or not _VERIFIER.match(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


def redeem(store: Store, now: float, *, code: str, client_id: str, redirect_uri: str | None,
           verifier: str | None, issuer: str) -> dict:
    """Exchange a code for a token set, or raise GrantError. Call inside a transaction and
    catch GrantError within it: the code's consumption and a theft revocation must commit
    even though the request is refused."""
    row = store.one("SELECT * FROM identity_codes WHERE code = ?", (code,))
    if row is None or row["client_id"] != client_id:
        raise GrantError("unknown authorization code")
    if row["used_utc"] is not None:
        if row["grant_id"]:
            grants.revoke(store, now, row["grant_id"])
        raise GrantError("authorization code already used")
    store.execute("UPDATE identity_codes SET used_utc = ? WHERE code = ?", (now, code))
    if now >= row["expires_utc"]:
        raise GrantError("authorization code expired")
    if redirect_uri != row["redirect_uri"]:
        raise GrantError("redirect_uri does not match the authorization request")
    if not _pkce_ok(row["code_challenge"], verifier):
        raise GrantError("code_verifier does not match the code_challenge")
    grant = grants.create(store, now, user_id=row["user_id"], client_id=client_id,
                          scopes=scope_words.parse(row["scopes"]), auth_event_id=row["auth_event_id"])
    store.execute("UPDATE identity_codes SET grant_id = ? WHERE code = ?", (grant.grant_id, code))
    return tokens.issue(store, now, grant, issuer, nonce=row["nonce"])
