"""Per-request access to the calling organisation: its objects and its reference data.

The tenant comes from ``g.tenant_id``, set by identity's step of the API pipeline after it
has checked that the token may use that organisation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g

from .. import orgs
from ..state import sandbox
from . import msdate
from .reference_data import DEFAULT_TAX, seed_organisation
from .repository import Repository


def current_repo() -> Repository:
    """The calling organisation's objects. An organisation created after the sandbox was
    seeded gets its chart of accounts and tax rates on first use, as a new Xero org has."""
    repo = Repository(sandbox().store, g.tenant_id)
    if not repo.has_any("accounts"):
        org = orgs.get(repo.store, repo.tenant_id)
        if org is not None:
            with repo.store.transaction():
                seed_organisation(repo, org, sandbox().clock.now())
    return repo


@dataclass
class Reference:
    """The organisation's chart of accounts, tax rates and items, for validating lines."""
    country: str
    currency: str
    timezone: str = "UTC"
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)   # by Code (upper)
    tax_rates: dict[str, dict[str, Any]] = field(default_factory=dict)  # by TaxType (upper)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)      # by Code (upper)

    @classmethod
    def load(cls, repo: Repository) -> "Reference":
        org = orgs.get(repo.store, repo.tenant_id)
        country = org["country_code"] if org else "NZ"
        currency = org["base_currency"] if org else "NZD"
        ref = cls(country, currency, org["timezone"] if org else "UTC")
        ref.accounts = {a["Code"].upper(): a for a in repo.all("accounts") if a.get("Code")}
        ref.tax_rates = {t["TaxType"].upper(): t for t in repo.all("taxrates")}
        ref.items = {i["Code"].upper(): i for i in repo.all("items")}
        return ref

    def today(self, now: float) -> datetime:
        return msdate.today(now, self.timezone)

    def account(self, code: str | None) -> dict[str, Any] | None:
        return self.accounts.get(code.upper()) if code else None

    def tax_rate(self, tax_type: str | None) -> dict[str, Any] | None:
        return self.tax_rates.get(tax_type.upper()) if tax_type else None

    def item(self, code: str | None) -> dict[str, Any] | None:
        return self.items.get(code.upper()) if code else None

    def default_tax(self, side: str) -> str:
        """"sales" or "purchases" default tax type of the organisation's country."""
        return DEFAULT_TAX.get(self.country, {}).get(side, "NONE")
