"""Registered apps (OAuth clients): who may ask for what, and where codes may be sent.

``sandbox-app`` is the developer's convenience app: any loopback redirect URI, broad and
granular scopes. Apps registered through ``POST /_sandbox/apps`` behave as Xero's do: exact
redirect URI match, and (``granular_only``) no broad scopes, as for apps created on or
after 2 March 2026 (developer.xero.com/faq/granular-scopes).
"""
from __future__ import annotations

import hmac
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..store import Store, dumps, loads

SANDBOX_CLIENT_ID = "sandbox-app"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class App:
    client_id: str
    client_secret: str | None
    name: str
    redirect_uris: tuple[str, ...]
    any_loopback: bool
    granular_only: bool

    @property
    def is_public(self) -> bool:
        """A PKCE app: authenticates with its client_id alone and must use PKCE."""
        return self.client_secret is None

    def allows_redirect(self, uri: str) -> bool:
        if uri in self.redirect_uris:
            return True
        if not self.any_loopback:
            return False
        parts = urlsplit(uri)
        return (parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
                and not parts.fragment)

    def secret_matches(self, secret: str | None) -> bool:
        if self.client_secret is None or secret is None:
            return False
        return hmac.compare_digest(self.client_secret.encode(), secret.encode())


def _from_row(row: sqlite3.Row) -> App:
    return App(row["client_id"], row["client_secret"], row["name"],
               tuple(loads(row["redirect_uris"])), bool(row["any_loopback"]),
               bool(row["granular_only"]))


def get(store: Store, client_id: str | None) -> App | None:
    if not client_id:
        return None
    row = store.one("SELECT * FROM identity_apps WHERE client_id = ?", (client_id,))
    return _from_row(row) if row else None


def register(store: Store, now: float, *, client_id: str, client_secret: str | None, name: str,
             redirect_uris: list[str], any_loopback: bool = False,
             granular_only: bool = False) -> App:
    """Create or replace an app registration."""
    store.execute(
        "INSERT OR REPLACE INTO identity_apps (client_id, client_secret, name, redirect_uris, "
        "any_loopback, granular_only, created_utc) VALUES (?,?,?,?,?,?,?)",
        (client_id, client_secret, name, dumps(list(redirect_uris)), int(any_loopback),
         int(granular_only), now))
    app = get(store, client_id)
    assert app is not None
    return app


def seed(store: Store, now: float) -> None:
    register(store, now, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET,
             name="Sandbox App", redirect_uris=[], any_loopback=True, granular_only=False)
