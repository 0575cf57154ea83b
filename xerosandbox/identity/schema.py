"""Identity's tables. Names are prefixed ``identity_`` so they never clash with other
feature modules sharing the one SQLite database."""
from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_apps (
    client_id      TEXT PRIMARY KEY,
    client_secret  TEXT,                      -- NULL: an "Auth Code with PKCE" app (no secret)
    name           TEXT NOT NULL,
    redirect_uris  TEXT NOT NULL DEFAULT '[]', -- JSON list, matched exactly (Xero: no wildcards)
    any_loopback   INTEGER NOT NULL DEFAULT 0, -- 1: any http(s)://localhost|127.0.0.1 URI (sandbox-app)
    granular_only  INTEGER NOT NULL DEFAULT 0, -- 1: created after 2 Mar 2026, broad scopes refused
    created_utc    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_users (
    user_id        TEXT PRIMARY KEY,          -- the token's xero_userid / sub
    username       TEXT NOT NULL UNIQUE,      -- short handle for /_sandbox/tokens ("demo")
    email          TEXT NOT NULL UNIQUE,
    password       TEXT NOT NULL,             -- plain text: a test double's demo login
    given_name     TEXT NOT NULL,
    family_name    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_signing_keys (
    kid            TEXT PRIMARY KEY,
    private_pem    TEXT NOT NULL,
    created_utc    REAL NOT NULL
);
-- A consent page that was shown and awaits "Allow access" or "Cancel".
CREATE TABLE IF NOT EXISTS identity_auth_requests (
    request_id     TEXT PRIMARY KEY,
    browser_id     TEXT NOT NULL,             -- the cookie it was shown to (CSRF binding)
    csrf           TEXT NOT NULL,
    params         TEXT NOT NULL,             -- JSON of the validated authorize parameters
    expires_utc    REAL NOT NULL
);
-- Scopes a user has granted an app so far: Xero's scopes are additive across consents.
CREATE TABLE IF NOT EXISTS identity_consents (
    user_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE TABLE IF NOT EXISTS identity_grants (
    grant_id       TEXT PRIMARY KEY,          -- one per code exchange (or minted token set)
    user_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    scopes         TEXT NOT NULL,             -- space separated
    global_session_id TEXT NOT NULL,
    auth_event_id  TEXT NOT NULL,
    auth_time      REAL NOT NULL,
    created_utc    REAL NOT NULL,
    revoked_utc    REAL
);
CREATE TABLE IF NOT EXISTS identity_codes (
    code           TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,                      -- S256 only
    auth_event_id  TEXT NOT NULL,
    created_utc    REAL NOT NULL,
    expires_utc    REAL NOT NULL,
    used_utc       REAL,
    grant_id       TEXT                       -- what the first exchange issued (revoked on reuse)
);
CREATE TABLE IF NOT EXISTS identity_refresh_tokens (
    token          TEXT PRIMARY KEY,
    grant_id       TEXT NOT NULL REFERENCES identity_grants(grant_id),
    issued_utc     REAL NOT NULL,
    expires_utc    REAL NOT NULL,             -- 60 days unused
    used_utc       REAL,                      -- rotated at; the grace period runs from here
    successor      TEXT                       -- JSON token response answered on rotation
);
CREATE TABLE IF NOT EXISTS identity_access_tokens (
    jti            TEXT PRIMARY KEY,
    grant_id       TEXT NOT NULL REFERENCES identity_grants(grant_id),
    issued_utc     REAL NOT NULL,
    expires_utc    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_connections (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    auth_event_id  TEXT NOT NULL,
    created_utc    REAL NOT NULL,
    updated_utc    REAL NOT NULL,
    UNIQUE (user_id, client_id, tenant_id)
);
-- Disconnected connections, remembered so that reconnecting the same organisation keeps the
-- connection's id and createdDateUtc and only moves updatedDateUtc (Connection schema, id:).
CREATE TABLE IF NOT EXISTS identity_past_connections (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    created_utc    REAL NOT NULL,
    UNIQUE (user_id, client_id, tenant_id)
);
"""
