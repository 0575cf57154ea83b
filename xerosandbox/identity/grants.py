"""Grants: one user's authorisation of one app, from which token sets are issued.

A grant is created by each authorization-code exchange (and by ``/_sandbox/tokens``). Its
refresh tokens rotate; its access tokens are recorded by ``jti`` so revoking the grant
takes effect at the API at once, although the JWTs themselves are still well signed.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..store import Store
from . import scopes as scope_words


@dataclass(frozen=True)
class Grant:
    grant_id: str
    user_id: str
    client_id: str
    scopes: tuple[str, ...]
    global_session_id: str
    auth_event_id: str
    auth_time: float


def create(store: Store, now: float, *, user_id: str, client_id: str, scopes: list[str],
           auth_event_id: str) -> Grant:
    grant = Grant(str(uuid.uuid4()), user_id, client_id, tuple(scopes), uuid.uuid4().hex,
                  auth_event_id, now)
    store.execute(
        "INSERT INTO identity_grants (grant_id, user_id, client_id, scopes, global_session_id, "
        "auth_event_id, auth_time, created_utc) VALUES (?,?,?,?,?,?,?,?)",
        (grant.grant_id, user_id, client_id, scope_words.join(scopes), grant.global_session_id,
         auth_event_id, now, now))
    return grant


def get(store: Store, grant_id: str) -> Grant | None:
    row = store.one("SELECT * FROM identity_grants WHERE grant_id = ? AND revoked_utc IS NULL",
                    (grant_id,))
    if row is None:
        return None
    return Grant(row["grant_id"], row["user_id"], row["client_id"],
                 tuple(scope_words.parse(row["scopes"])), row["global_session_id"],
                 row["auth_event_id"], row["auth_time"])


def revoke(store: Store, now: float, grant_id: str) -> None:
    store.execute("UPDATE identity_grants SET revoked_utc = ? WHERE grant_id = ? "
                  "AND revoked_utc IS NULL", (now, grant_id))


def revoke_all(store: Store, now: float, user_id: str, client_id: str) -> None:
    """Every grant of this user to this app (revocation disconnects the app entirely)."""
    store.execute("UPDATE identity_grants SET revoked_utc = ? WHERE user_id = ? AND client_id = ? "
                  "AND revoked_utc IS NULL", (now, user_id, client_id))


def consented_scopes(store: Store, user_id: str, client_id: str, requested: list[str]) -> list[str]:
    """Record a consent and answer the scopes the new tokens carry: Xero's scopes are
    additive, so earlier consents' scopes stay until the user revokes
    (developer.xero.com/documentation/guides/oauth2/scopes/)."""
    row = store.one("SELECT scopes FROM identity_consents WHERE user_id = ? AND client_id = ?",
                    (user_id, client_id))
    union = scope_words.parse(row["scopes"] if row else "") + requested
    joined = scope_words.join(union)
    store.execute("INSERT INTO identity_consents (user_id, client_id, scopes) VALUES (?,?,?) "
                  "ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes",
                  (user_id, client_id, joined))
    return scope_words.parse(joined)


def forget_consent(store: Store, user_id: str, client_id: str) -> None:
    store.execute("DELETE FROM identity_consents WHERE user_id = ? AND client_id = ?",
                  (user_id, client_id))
