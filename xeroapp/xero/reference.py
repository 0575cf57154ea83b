"""The organisation's own chart of accounts and tax rates, read from Xero and cached.

Lines need an AccountCode and a TaxType that exist in *this* organisation; Settings >
Integrations offers them as choices. They change rarely, so one read serves an hour (per
connection and organisation, in Redis, shared by web and workers). A push that Xero rejects
because of an account or tax code calls ``forget`` so the next look is fresh.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from redis.exceptions import RedisError

from xeroapp.models.xero import XeroConnection
from xeroapp.queue import get_redis
from xeroapp.xero.client import XeroClient

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600
RESOURCES = ("Accounts", "TaxRates")
# Words in a Xero validation message that blame the account or tax code we sent.
BLAMES_REFERENCE = ("account code", "accountcode", "taxtype", "tax type", "tax rate")


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


def _key(connection: XeroConnection, resource: str) -> str:
    return f"xero:reference:{connection.id}:{connection.tenant_id}:{resource}"


def _read(connection: XeroConnection, resource: str) -> list[dict]:
    try:
        cached = get_redis().get(_key(connection, resource))
    except RedisError:
        cached = None
    if cached is not None:
        return json.loads(cached)
    rows = XeroClient(connection.id, connection.tenant_id).accounting("GET", resource).get(resource) or []
    try:
        get_redis().set(_key(connection, resource), json.dumps(rows), ex=CACHE_SECONDS)
    except RedisError:
        log.info("could not cache %s for connection %s", resource, connection.id)
    return rows


def forget(connection: XeroConnection) -> None:
    """Drop the cached lists (after Xero blamed one of their codes)."""
    try:
        get_redis().delete(*(_key(connection, r) for r in RESOURCES))
    except RedisError:
        log.info("could not clear cached reference data of connection %s", connection.id)


def blames_reference(message: str) -> bool:
    text = message.lower()
    return any(word in text for word in BLAMES_REFERENCE)


def sales_accounts(connection: XeroConnection) -> list[Choice]:
    """Active revenue accounts with a code (what a sales line can be coded to)."""
    return _accounts(connection, "REVENUE")


def sales_tax_rates(connection: XeroConnection) -> list[Choice]:
    """Active tax rates that apply to revenue."""
    return _tax_rates(connection, "CanApplyToRevenue")


def purchase_accounts(connection: XeroConnection) -> list[Choice]:
    """Active expense accounts with a code (what a purchase order line can be coded to)."""
    return _accounts(connection, "EXPENSE")


def purchase_tax_rates(connection: XeroConnection) -> list[Choice]:
    """Active tax rates that apply to expenses."""
    return _tax_rates(connection, "CanApplyToExpenses")


def _accounts(connection: XeroConnection, account_class: str) -> list[Choice]:
    return [Choice(a["Code"], f"{a['Code']} - {a.get('Name', '')}")
            for a in _read(connection, "Accounts")
            if a.get("Code") and a.get("Status", "ACTIVE") == "ACTIVE"
            and a.get("Class") == account_class]


def _tax_rates(connection: XeroConnection, applies_to: str) -> list[Choice]:
    return [Choice(t["TaxType"], f"{t.get('Name', t['TaxType'])} ({t.get('EffectiveRate', 0):g}%)")
            for t in _read(connection, "TaxRates")
            if t.get("Status", "ACTIVE") == "ACTIVE" and t.get(applies_to)]
