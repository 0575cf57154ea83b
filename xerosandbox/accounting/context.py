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
    seeded gets its chart of accounts, tax rates and currency on first use, as a new Xero
    org has."""
    repo = Repository(sandbox().store, g.tenant_id)
    if not repo.has_any("accounts") or not repo.has_any("currencies"):
        org = orgs.get(repo.store, repo.tenant_id)
        if org is not None:
            with repo.store.transaction():
                seed_organisation(repo, org, sandbox().clock.now())
    return repo


# Which TaxRate flag an account's Class, or a line's side, needs.
ACCOUNT_CLASS_FLAGS = {"REVENUE": "CanApplyToRevenue", "EXPENSE": "CanApplyToExpenses",
                       "ASSET": "CanApplyToAssets", "EQUITY": "CanApplyToEquity",
                       "LIABILITY": "CanApplyToLiabilities"}
SIDE_FLAGS = {"sales": "CanApplyToRevenue", "purchases": "CanApplyToExpenses"}


@dataclass
class Reference:
    """The organisation's chart of accounts, tax rates and items, for validating lines."""
    country: str
    currency: str
    timezone: str = "UTC"
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)   # by Code (upper)
    tax_rates: dict[str, dict[str, Any]] = field(default_factory=dict)  # by TaxType (upper)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)      # by Code (upper)
    currencies: set[str] = field(default_factory=set)                    # enabled, upper

    @classmethod
    def load(cls, repo: Repository) -> "Reference":
        org = orgs.get(repo.store, repo.tenant_id)
        country = org["country_code"] if org else "NZ"
        currency = org["base_currency"] if org else "NZD"
        ref = cls(country, currency, org["timezone"] if org else "UTC")
        ref.accounts = {a["Code"].upper(): a for a in repo.all("accounts") if a.get("Code")}
        ref.tax_rates = {t["TaxType"].upper(): t for t in repo.all("taxrates")}
        ref.items = {i["Code"].upper(): i for i in repo.all("items")}
        ref.currencies = {c["Code"].upper() for c in repo.all("currencies")} | {currency}
        return ref

    def today(self, now: float) -> datetime:
        return msdate.today(now, self.timezone)

    def account(self, code: str | None) -> dict[str, Any] | None:
        return self.accounts.get(code.upper()) if code else None

    def tax_rate(self, tax_type: str | None) -> dict[str, Any] | None:
        """An ACTIVE tax rate of the organisation (a deleted or archived one cannot be used)."""
        rate = self.tax_rates.get(tax_type.upper()) if tax_type else None
        return rate if rate is not None and rate.get("Status", "ACTIVE") == "ACTIVE" else None

    def tax_problem(self, tax_type: str | None, account_code: str | None, side: str) -> str | None:
        """Why ``tax_type`` cannot go on a line of this side ("sales" or "purchases") coded to
        ``account_code``; None when it can (or names no tax type).

        Xero's two refusals: a code the organisation does not have, or one that does not
        apply to this kind of line (a sales-only rate on a purchase), "The TaxType code 'X'
        does not exist or cannot be used for this type of transaction."; and a rate that the
        line's account class does not take (its CanApplyTo* flag), "The TaxType code 'X'
        cannot be used with account code 'Y'." (Xero's Tax Rate Constraints:
        developer.xero.com/documentation/api/accounting/taxrates).
        """
        if not tax_type:
            return None
        rate = self.tax_rate(tax_type)
        account = self.account(account_code)
        if rate is not None and account is not None:
            flag = ACCOUNT_CLASS_FLAGS.get(account.get("Class", ""))
            if flag is None or rate.get(flag):
                return None
            return f"The TaxType code '{tax_type}' cannot be used with account code '{account_code}'."
        if rate is not None and rate.get(SIDE_FLAGS[side]):
            return None
        return (f"The TaxType code '{tax_type}' does not exist or cannot be used for this type "
                "of transaction.")

    def takes_currency(self, code: str | None) -> bool:
        return not code or code.upper() in self.currencies

    def item(self, code: str | None) -> dict[str, Any] | None:
        return self.items.get(code.upper()) if code else None

    def default_tax(self, side: str) -> str:
        """"sales" or "purchases" default tax type of the organisation's country."""
        return DEFAULT_TAX.get(self.country, {}).get(side, "NONE")
