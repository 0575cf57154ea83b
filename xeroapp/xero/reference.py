"""The organisation's own lists, read from Xero and kept in XeroOrganisation.

Lines need a TaxType (and an AccountCode) that exist in *this* organisation, in a currency it
has enabled: a new Australian organisation has no OUTPUT2, a British one no GST, and neither
takes a currency it has not added in its Settings > Currencies. So the choices on lines,
products and Settings come from the connected organisation's ``/TaxRates`` and ``/Accounts``,
and pushes are checked against them and its ``/Currencies`` before any call (sync/org_checks).

No page calls Xero for them. They are read when the organisation is connected (the OAuth
callback), and by ``refresh_job`` on the queue: when a person asks (Refresh from Xero), when a
page finds a connection without them, and after Xero refused a push for one of their codes
(someone changed the organisation's settings in Xero).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError

from xeroapp.extensions import db
from xeroapp.models.organisation import CLASS_FLAGS, XeroOrganisation
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.queue import get_queue
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import RateLimited, XeroError

log = logging.getLogger(__name__)

REFRESH_FUNCTION = "xeroapp.xero.reference.refresh_job"
# Words in a Xero validation message that blame the account, tax code or currency we sent.
BLAMES_REFERENCE = ("account code", "accountcode", "taxtype", "tax type", "tax rate",
                    "subscribed to currency")
# TaxRate flags -> our names for what a rate applies to.
APPLIES = {"CanApplyToRevenue": "revenue", "CanApplyToExpenses": "expenses",
           "CanApplyToAssets": "assets", "CanApplyToEquity": "equity",
           "CanApplyToLiabilities": "liabilities"}


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


# -- reading from Xero (the callback, or a job) -------------------------------------------------

def read(client: XeroClient, organisation: dict[str, Any] | None = None) -> dict[str, Any]:
    """The organisation's facts and lists, in XeroOrganisation's shape (four GETs, or three
    when ``organisation`` (GET /Organisation's answer) is already at hand)."""
    org = organisation if organisation is not None else client.organisation()
    return facts(org, client.accounting("GET", "Currencies").get("Currencies") or [],
                 client.accounting("GET", "TaxRates").get("TaxRates") or [],
                 client.accounting("GET", "Accounts").get("Accounts") or [])


def facts(org: dict[str, Any], currencies: list[dict], rates: list[dict],
          accounts: list[dict]) -> dict[str, Any]:
    """Xero's Organisation, Currencies, TaxRates and Accounts as XeroOrganisation keeps them:
    active rates and coded active accounts only, the base currency first."""
    base = (org.get("BaseCurrency") or "").upper() or None
    return {
        "name": org.get("Name") or "Xero organisation",
        "country_code": (org.get("CountryCode") or "").upper()[:2] or None,
        "base_currency": base,
        "currencies": list(dict.fromkeys([*([base] if base else []),
                                          *((c.get("Code") or "").upper() for c in currencies
                                            if c.get("Code"))])),
        "tax_rates": [{"TaxType": r["TaxType"], "Name": r.get("Name") or r["TaxType"],
                       "EffectiveRate": r.get("EffectiveRate") or 0,
                       "AppliesTo": [word for flag, word in APPLIES.items() if r.get(flag)]}
                      for r in rates
                      if r.get("TaxType") and (r.get("Status") or "ACTIVE") == "ACTIVE"],
        "accounts": [{"Code": a["Code"], "Name": a.get("Name") or "", "Class": a.get("Class") or "",
                      "TaxType": a.get("TaxType")}
                     for a in accounts
                     if a.get("Code") and (a.get("Status") or "ACTIVE") == "ACTIVE"],
    }


def save(workspace_id: int, tenant_id: str, facts: dict[str, Any]) -> XeroOrganisation:
    """Keep what ``read`` found (added to the session, not committed)."""
    row = XeroOrganisation.of(workspace_id, tenant_id) or XeroOrganisation(
        workspace_id=workspace_id, tenant_id=tenant_id)
    for key, value in facts.items():
        setattr(row, key, value)
    row.read_at = utcnow()
    db.session.add(row)
    return row


def refresh(connection: XeroConnection) -> XeroOrganisation:
    """Read the connected organisation and its lists again and keep them (committed), its
    name and ShortCode on the connection too: a connect that Xero asked to slow down stored
    the connection without them, and an organisation renamed in Xero shows its new name."""
    client = XeroClient(connection.id, connection.tenant_id)
    organisation = client.organisation()
    facts = read(client, organisation)
    keep_identity(connection, organisation)
    row = save(connection.workspace_id, connection.tenant_id, facts)
    db.session.commit()
    return row


def keep_identity(connection: XeroConnection, organisation: dict[str, Any]) -> None:
    """GET /Organisation's Name and ShortCode on the connection ("View in Xero" links need
    the ShortCode); a missing value keeps what we had."""
    connection.tenant_name = organisation.get("Name") or connection.tenant_name
    connection.short_code = organisation.get("ShortCode") or connection.short_code


def request_refresh(connection: XeroConnection) -> None:
    """Queue a refresh (call after the commit that matters). Repeated requests coalesce onto
    one job; Redis being down only means the lists stay as they are."""
    try:
        get_queue().enqueue(REFRESH_FUNCTION, connection.id, connection.tenant_id,
                            job_id=f"xero-reference-{connection.id}")
    except RedisError:
        log.info("could not queue a refresh of connection %s's lists", connection.id)


def refresh_job(connection_id: int, tenant_id: str) -> str:
    """RQ job: refresh the lists if the connection still points at that organisation."""
    connection = db.session.get(XeroConnection, connection_id)
    if connection is None or connection.tenant_id != tenant_id or connection.needs_reconnect:
        return "skipped"
    try:
        refresh(connection)
    except RateLimited as exc:  # try again once the organisation's budget allows it
        db.session.rollback()
        get_queue().enqueue_in(timedelta(seconds=max(exc.retry_after, 1.0)), REFRESH_FUNCTION,
                               connection_id, tenant_id)
        return "waiting"
    except XeroError as exc:  # the lists stay as they were; the next trigger tries again
        db.session.rollback()
        log.info("could not refresh the lists of connection %s: %s", connection_id, exc)
        return "failed"
    return "done"


def blames_reference(message: str) -> bool:
    text = message.lower()
    return any(word in text for word in BLAMES_REFERENCE)


# -- what pages and pushes read (never Xero) ------------------------------------------------------

def current(workspace_id: int) -> XeroOrganisation | None:
    """The lists that apply to the workspace: those of the organisation it is connected to
    (None until they have been read), else of the one it used last; None if never connected."""
    connection = db.session.scalar(db.select(XeroConnection).filter_by(workspace_id=workspace_id))
    if connection is not None:
        return XeroOrganisation.of(workspace_id, connection.tenant_id)
    return XeroOrganisation.last_of(workspace_id)


def of_connection(connection: XeroConnection) -> XeroOrganisation | None:
    return XeroOrganisation.of(connection.workspace_id, connection.tenant_id)


def sales_accounts(connection: XeroConnection) -> list[Choice]:
    """Active revenue accounts with a code (what a sales line can be coded to)."""
    return _accounts(connection, "REVENUE")


def sales_tax_rates(connection: XeroConnection) -> list[Choice]:
    """Active tax rates that apply to revenue."""
    return _tax_rates(connection, "revenue")


def purchase_accounts(connection: XeroConnection) -> list[Choice]:
    """Active expense accounts with a code (what a purchase order line can be coded to)."""
    return _accounts(connection, "EXPENSE")


def purchase_tax_rates(connection: XeroConnection) -> list[Choice]:
    """Active tax rates that apply to expenses."""
    return _tax_rates(connection, "expenses")


def _accounts(connection: XeroConnection, account_class: str) -> list[Choice]:
    org = of_connection(connection)
    return [Choice(a.code, f"{a.code} - {a.name}") for a in (org.account_list() if org else [])
            if a.account_class == account_class]


def _tax_rates(connection: XeroConnection, applies_to: str) -> list[Choice]:
    org = of_connection(connection)
    return [Choice(r.tax_type, f"{r.name} ({r.percent:g}%)") for r in (org.rates() if org else [])
            if applies_to in r.applies_to]


def fits_account(org: XeroOrganisation, tax_type: str, account_code: str | None) -> bool | None:
    """Whether the rate may be used with the account's class; None when either is unknown."""
    rate, account = org.rate(tax_type), org.account(account_code)
    if rate is None or account is None or account.account_class not in CLASS_FLAGS:
        return None
    return CLASS_FLAGS[account.account_class] in rate.applies_to
