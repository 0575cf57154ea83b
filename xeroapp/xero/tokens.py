"""Xero token sets: storing them, judging them, and refreshing them one at a time.

Xero rotates refresh tokens: each refresh returns a new one and the old one dies 30 minutes
later. Two processes refreshing with the same token race, and the loser's token set is lost,
so the connection dies days later ("Xero disconnects after a few days"). So every
refresh of a connection happens under one Redis lock (``xero:refresh:<connection id>``) shared
by web processes and RQ workers: acquire, re-read the row, skip if someone else already
refreshed, exchange, COMMIT the rotated token, and only then use the new access token.

Token rows are read and written in a session of their own, committed at once, so a refresh
never commits (or rolls back) the caller's unfinished work, and a caller never holds a stale
token set in its identity map.

A grant Xero no longer accepts flags the connection (``mark_needs_reconnect``) and sends
``connection_lost``. This package knows nothing of pushes: the push engine
(sync/reconnect.py) listens and parks them.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from blinker import Namespace
from redis.exceptions import LockError, LockNotOwnedError
from sqlalchemy.orm import Session

from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.queue import get_redis
from xeroapp.xero.errors import NotConnected, ReconnectRequired, TransportError, Unavailable, XeroError
from xeroapp.xero.http import client_credentials, http_client, identity_url

log = logging.getLogger(__name__)

# Refresh this long before the access token expires: a token that expires in flight costs a
# 401 and a second round trip.
EXPIRY_LEEWAY = timedelta(seconds=60)
# Xero: a refresh token lives 60 days from issue if unused; warn a fortnight before that.
REFRESH_TOKEN_LIFETIME = timedelta(days=60)
REFRESH_WARNING_BEFORE = timedelta(days=14)
# The lock expires on its own if its holder dies; waiters give up after LOCK_WAIT seconds.
LOCK_TIMEOUT = 60
LOCK_WAIT = 75

# Sent with the XeroConnection just flagged as needing a reconnect and ``session``, the
# token session that flagged it (uncommitted): receivers add their own changes to it.
connection_lost = Namespace().signal("xero-connection-lost")


def lock_name(connection_id: int) -> str:
    return f"xero:refresh:{connection_id}"


def unverified_claims(jwt: str | None) -> dict:
    """The payload of a JWT, NOT verified: only for reading facts Xero put there about our own
    grant (authentication_event_id, xero_userid), never to decide who someone is."""
    if not jwt or jwt.count(".") != 2:
        return {}
    payload = jwt.split(".")[1]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return {}


def store_token_set(connection: XeroConnection, token: dict, now: datetime | None = None) -> None:
    """Copy a token response onto the row (encrypted by the model's properties)."""
    now = now or utcnow()
    connection.access_token = token["access_token"]
    # Whose grant this is: disconnecting revokes only a grant no other workspace shares.
    connection.xero_user_id = (unverified_claims(token["access_token"]).get("xero_userid")
                               or connection.xero_user_id)
    connection.access_token_expires_at = now + timedelta(seconds=int(token.get("expires_in", 1800)))
    if token.get("refresh_token"):
        connection.refresh_token = token["refresh_token"]
        connection.refresh_token_issued_at = now
    if token.get("scope"):
        scope = token["scope"]
        connection.scopes = " ".join(scope) if isinstance(scope, list) else scope


@dataclass(frozen=True)
class TokenHealth:
    """What the Integrations page shows about a connection's tokens."""

    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    days_left: int | None
    warning: bool
    expired: bool


def token_health(connection: XeroConnection, now: datetime | None = None) -> TokenHealth:
    now = now or utcnow()
    issued = connection.refresh_token_issued_at
    if issued is None or connection.refresh_token_encrypted is None:
        return TokenHealth(connection.access_token_expires_at, None, None, False, True)
    ends = issued + REFRESH_TOKEN_LIFETIME
    left = ends - now
    return TokenHealth(connection.access_token_expires_at, ends, max(left.days, 0),
                       warning=left <= REFRESH_WARNING_BEFORE, expired=left <= timedelta(0))


@contextmanager
def token_session() -> Iterator[Session]:
    """A session for token rows only, independent of the caller's ``db.session``."""
    with Session(db.engine, expire_on_commit=False) as session:
        yield session


def _load(session: Session, connection_id: int) -> XeroConnection:
    connection = session.get(XeroConnection, connection_id, populate_existing=True)
    if connection is None or connection.refresh_token_encrypted is None:
        raise NotConnected("Xero is not connected.")
    if connection.needs_reconnect:
        raise ReconnectRequired("Xero needs reconnecting: " + (connection.needs_reconnect_reason or
                                                                "the connection was lost."))
    return connection


def _usable(connection: XeroConnection, rejected: str | None) -> str | None:
    """The stored access token, unless it is the one Xero just rejected or about to expire."""
    token = connection.access_token
    expires = connection.access_token_expires_at
    if token is None or token == rejected or expires is None:
        return None
    return token if expires - EXPIRY_LEEWAY > utcnow() else None


def access_token_for(connection_id: int, *, rejected: str | None = None) -> str:
    """A usable access token, refreshed (once, under the lock) when needed.

    ``rejected``: a token Xero has just answered 401 to; it is refreshed even if our clock
    thinks it is still valid, unless someone else has already replaced it.
    """
    with token_session() as session:
        token = _usable(_load(session, connection_id), rejected)
    if token:
        return token
    return _refresh_locked(connection_id, rejected)


@contextmanager
def refresh_lock(connection_id: int) -> Iterator[None]:
    """Hold ``xero:refresh:<id>``: the one right to change this connection's tokens."""
    lock = get_redis().lock(lock_name(connection_id), timeout=LOCK_TIMEOUT,
                            blocking_timeout=LOCK_WAIT)
    if not lock.acquire():
        raise TransportError("Timed out waiting for another refresh of the Xero token.")
    try:
        yield
    finally:
        try:
            lock.release()
        except (LockNotOwnedError, LockError):
            log.warning("refresh lock for connection %s expired before release", connection_id)


def _refresh_locked(connection_id: int, rejected: str | None) -> str:
    with refresh_lock(connection_id), token_session() as session:
        connection = _load(session, connection_id)  # re-read: maybe already refreshed
        token = _usable(connection, rejected)
        if token:
            return token
        body = exchange_refresh_token(connection.refresh_token or "")
        if body is None:
            mark_needs_reconnect(connection_id, "Xero no longer accepts the app's authorisation: "
                                                "it was revoked, expired or replaced.")
            raise ReconnectRequired("Xero needs reconnecting: the authorisation was revoked "
                                    "or expired.")
        store_token_set(connection, body)
        # Commit BEFORE using the new access token: if we crashed after using it, the only
        # copy of the rotated refresh token would be gone with us. (Should the commit itself
        # fail, Xero's 30-minute grace answers the old refresh token with the same new set.)
        session.commit()
        return body["access_token"]


def exchange_refresh_token(refresh_token: str) -> dict | None:
    """POST grant_type=refresh_token; the token response, or None for invalid_grant."""
    try:
        with http_client() as http:
            response = http.post(identity_url("/connect/token"), auth=client_credentials(),
                                 data={"grant_type": "refresh_token",
                                       "refresh_token": refresh_token})
    except httpx.TransportError as exc:
        log.warning("token refresh: %s", exc.__class__.__name__)
        raise TransportError("Could not reach Xero to renew the connection's access.") from exc
    if response.status_code == 200:
        return response.json()
    error = _oauth_error(response)
    if error == "invalid_grant":
        return None
    if response.status_code >= 500:
        raise Unavailable("Xero's login service is unavailable; try again shortly.",
                          status=response.status_code)
    raise XeroError(f"Xero refused the token refresh ({error or response.status_code}). "
                    "Check XERO_CLIENT_ID and XERO_CLIENT_SECRET.", status=response.status_code)


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def mark_needs_reconnect(connection_id: int, reason: str) -> None:
    """Flag the connection, committed at once with what ``connection_lost``'s receivers
    changed (the push engine parks the workspace's pushes), so every page shows the banner
    and no worker keeps calling Xero with a dead grant."""
    with token_session() as session:
        connection = session.get(XeroConnection, connection_id)
        if connection is None:
            return
        connection.needs_reconnect = True
        connection.needs_reconnect_reason = reason
        connection_lost.send(connection, session=session)
        session.commit()
    log.info("Xero connection %s needs reconnecting: %s", connection_id, reason)
