"""Xero users who can log in on the consent page. One demo user, who may grant every
organisation in the sandbox (an adviser on all the demo orgs)."""
from __future__ import annotations

import hmac
import sqlite3

from ..store import Store

DEMO_USER_ID = "5b8c1d2e-7f3a-4c6b-9e0d-1a2b3c4d5e6f"
DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@xero.example"
DEMO_PASSWORD = "demo"


def seed(store: Store) -> None:
    store.execute(
        "INSERT OR IGNORE INTO identity_users (user_id, username, email, password, given_name, "
        "family_name) VALUES (?,?,?,?,?,?)",
        (DEMO_USER_ID, DEMO_USERNAME, DEMO_EMAIL, DEMO_PASSWORD, "Demo", "User"))


def get(store: Store, user_id: str) -> sqlite3.Row | None:
    return store.one("SELECT * FROM identity_users WHERE user_id = ?", (user_id,))


def find(store: Store, handle: str) -> sqlite3.Row | None:
    """A user by username, email or id (the /_sandbox/tokens ``user`` field)."""
    return store.one("SELECT * FROM identity_users WHERE username = ? OR lower(email) = lower(?) "
                     "OR user_id = ?", (handle, handle, handle))


def check_login(store: Store, email: str, password: str) -> sqlite3.Row | None:
    row = store.one("SELECT * FROM identity_users WHERE lower(email) = lower(?)", (email.strip(),))
    if row and hmac.compare_digest(row["password"].encode(), password.encode()):
        return row
    return None
