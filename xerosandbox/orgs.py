"""Organisations (Xero "tenants"): shared by identity (what a user may grant) and the
accounting API (``GET /Organisation``, per-tenant data), so they live in the core.

Three demo organisations with fixed ids, one per region the sandbox models (New Zealand,
Australia, the United Kingdom), so tests and the app's picker see stable values across
restarts and resets. ``create`` adds more (``POST /_sandbox/orgs``).
"""
from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass

from .store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS organisations (
    tenant_id      TEXT PRIMARY KEY,          -- Xero's OrganisationID / tenantId (a GUID)
    name           TEXT NOT NULL,
    legal_name     TEXT NOT NULL,
    short_code     TEXT NOT NULL,             -- e.g. "!mBdtL", used in deep links
    country_code   TEXT NOT NULL,
    base_currency  TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    organisation_type TEXT NOT NULL DEFAULT 'COMPANY',
    edition        TEXT NOT NULL DEFAULT 'BUSINESS',
    class          TEXT NOT NULL DEFAULT 'DEMO',
    offline        INTEGER NOT NULL DEFAULT 0, -- 1: API answers 503 "The Organisation is offline"
    day_limit      INTEGER NOT NULL DEFAULT 5000, -- calls per day (1,000 on Xero's Starter tier)
    created_utc    REAL NOT NULL
);
"""

DEMO_TENANT_ID = "9f6a3c2e-1b7d-4e8a-9c55-0d2f4b6e8a10"
SECOND_TENANT_ID = "3c1e7b52-8d4f-4a06-b2e9-7f5a0c9d1e23"   # Australian
UK_TENANT_ID = "b7d2e4a1-5c3f-4e9b-8a06-2f1c9d7e5b34"


@dataclass(frozen=True)
class DemoOrg:
    tenant_id: str
    name: str
    short_code: str
    country_code: str
    base_currency: str
    timezone: str


DEMO_ORGS = (
    DemoOrg(DEMO_TENANT_ID, "Demo Company (Sandbox)", "!kT7qP", "NZ", "NZD", "NEWZEALANDSTANDARDTIME"),
    DemoOrg(SECOND_TENANT_ID, "Harbour Supplies Ltd (Sandbox)", "!Wb2xR", "AU", "AUD", "AUSEASTERNSTANDARDTIME"),
    DemoOrg(UK_TENANT_ID, "Thames Trading Ltd (Sandbox)", "!Lk9vG", "GB", "GBP", "GMTSTANDARDTIME"),
)

# Xero's Organisation.Timezone of a new organisation in each country (its capital's zone).
TIMEZONES = {"NZ": "NEWZEALANDSTANDARDTIME", "AU": "AUSEASTERNSTANDARDTIME",
             "GB": "GMTSTANDARDTIME"}


def seed(store: Store, now: float) -> None:
    with store.transaction() as tx:
        for org in DEMO_ORGS:
            tx.execute(
                "INSERT OR IGNORE INTO organisations (tenant_id, name, legal_name, short_code, "
                "country_code, base_currency, timezone, created_utc) VALUES (?,?,?,?,?,?,?,?)",
                (org.tenant_id, org.name, org.name, org.short_code, org.country_code,
                 org.base_currency, org.timezone, now),
            )


def create(store: Store, now: float, *, name: str, country_code: str, base_currency: str,
           tenant_id: str | None = None, short_code: str | None = None,
           timezone: str | None = None) -> str:
    """A new organisation (call inside a transaction); answers its tenant id. Its reference
    data (accounts, tax rates, currencies) is the accounting feature's to seed."""
    tenant_id = tenant_id or str(uuid.uuid4())
    store.execute(
        "INSERT INTO organisations (tenant_id, name, legal_name, short_code, country_code, "
        "base_currency, timezone, created_utc) VALUES (?,?,?,?,?,?,?,?)",
        (tenant_id, name, name, short_code or new_short_code(), country_code, base_currency,
         timezone or TIMEZONES.get(country_code, "UTC"), now))
    return tenant_id


def new_short_code() -> str:
    """Xero's ShortCode shape: "!" and five letters or digits (e.g. "!mBdtL")."""
    alphabet = string.ascii_letters + string.digits
    return "!" + "".join(secrets.choice(alphabet) for _ in range(5))


def get(store: Store, tenant_id: str):
    return store.one("SELECT * FROM organisations WHERE tenant_id = ?", (tenant_id,))


def all_orgs(store: Store):
    return store.all("SELECT * FROM organisations ORDER BY created_utc, name")
