"""The RSA key that signs access tokens and id_tokens (RS256), and the JWKS that publishes it.

Generated once and stored in the database, so tokens keep verifying across restarts. A
``/_sandbox/reset`` wipes every table; the key is then re-inserted from this process's
cache rather than regenerated, so a client that cached the JWKS (Authlib does) keeps working.
"""
from __future__ import annotations

import weakref
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from ..store import Store

ALG = "RS256"
_keys: weakref.WeakKeyDictionary[Store, RSAKey] = weakref.WeakKeyDictionary()


def _with_kid(pem: bytes | str) -> RSAKey:
    """Import a PEM and name it by its RFC 7638 thumbprint (stable for the same key)."""
    key = RSAKey.import_key(pem)
    return RSAKey.import_key(pem, parameters={"kid": key.thumbprint(), "use": "sig", "alg": ALG})


def ensure(store: Store, now: float) -> None:
    """Make sure the database holds the signing key (seed time)."""
    if store.one("SELECT kid FROM identity_signing_keys"):
        return
    key = _keys.get(store) or _with_kid(RSAKey.generate_key(2048).as_pem(private=True))
    store.execute("INSERT INTO identity_signing_keys (kid, private_pem, created_utc) VALUES (?,?,?)",
                  (key.kid, key.as_pem(private=True).decode(), now))
    _keys[store] = key


def signing_key(store: Store) -> RSAKey:
    key = _keys.get(store)
    if key is None:
        row = store.one("SELECT private_pem FROM identity_signing_keys ORDER BY created_utc LIMIT 1")
        if row is None:
            raise RuntimeError("identity signing key missing: was identity.seed run?")
        key = _keys[store] = _with_kid(row["private_pem"])
    return key


def jwks(store: Store) -> dict[str, Any]:
    return {"keys": [signing_key(store).as_dict(private=False)]}


def sign(store: Store, claims: dict[str, Any]) -> str:
    key = signing_key(store)
    return jwt.encode({"alg": ALG, "kid": key.kid, "typ": "JWT"}, claims, key)


def verified_claims(store: Store, token: str) -> dict[str, Any] | None:
    """The claims of a token this sandbox signed, or None (garbage, foreign signature).
    Times are NOT checked here: the caller compares them with the sandbox clock."""
    try:
        return dict(jwt.decode(token, signing_key(store), algorithms=[ALG]).claims)
    except (JoseError, ValueError, TypeError):
        return None
