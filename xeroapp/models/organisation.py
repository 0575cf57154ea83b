"""What we last read of a Xero organisation a workspace connected to: its country, currencies,
tax rates and chart of accounts.

Pages offer these lists (line tax rates, default accounts) and pushes are checked against them
before any call, so no page waits on Xero: they are read when the organisation is connected
(the OAuth callback) and again in a job (Refresh from Xero, or after Xero refused a code).
A row stays when the workspace disconnects, like its links: the lists of the organisation it
last used are still the best guess of what it will use again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.mixins import Timestamped, WorkspaceOwned
from xeroapp.models.types import UTCDateTime

# Account Class -> the TaxRate flag that says a rate may be used with it.
CLASS_FLAGS = {"REVENUE": "revenue", "EXPENSE": "expenses", "ASSET": "assets",
               "EQUITY": "equity", "LIABILITY": "liabilities"}


@dataclass(frozen=True)
class OrgTaxRate:
    """One of the organisation's ACTIVE tax rates, as /TaxRates describes it."""

    tax_type: str
    name: str
    percent: Decimal
    applies_to: frozenset[str]  # "revenue", "expenses", "assets", "equity", "liabilities"

    @property
    def sales(self) -> bool:
        return "revenue" in self.applies_to

    @property
    def purchases(self) -> bool:
        return "expenses" in self.applies_to


@dataclass(frozen=True)
class OrgAccount:
    """One of the organisation's ACTIVE accounts that has a code."""

    code: str
    name: str
    account_class: str  # REVENUE, EXPENSE, ASSET, EQUITY, LIABILITY
    tax_type: str | None


class XeroOrganisation(WorkspaceOwned, Timestamped, db.Model):
    __tablename__ = "xero_organisations"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "tenant_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    country_code: so.Mapped[str | None] = so.mapped_column(sa.String(2))
    base_currency: so.Mapped[str | None] = so.mapped_column(sa.String(3))
    # Codes of the enabled currencies (GET /Currencies), base currency included.
    currencies: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # [{TaxType, Name, EffectiveRate, AppliesTo: [...]}], active rates only.
    tax_rates: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # [{Code, Name, Class, TaxType}], active accounts with a code only.
    accounts: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    @classmethod
    def of(cls, workspace_id: int, tenant_id: str) -> XeroOrganisation | None:
        return db.session.scalar(sa.select(cls).filter_by(workspace_id=workspace_id,
                                                          tenant_id=tenant_id))

    @classmethod
    def last_of(cls, workspace_id: int) -> XeroOrganisation | None:
        """The organisation the workspace read most recently (connected now, or last)."""
        return db.session.scalar(sa.select(cls).filter_by(workspace_id=workspace_id)
                                 .order_by(cls.read_at.desc().nulls_last(), cls.id.desc()).limit(1))

    def rates(self) -> list[OrgTaxRate]:
        return [OrgTaxRate(r["TaxType"], r.get("Name") or r["TaxType"],
                           _percent(r.get("EffectiveRate")), frozenset(r.get("AppliesTo") or ()))
                for r in self.tax_rates or []]

    def rate(self, tax_type: str | None) -> OrgTaxRate | None:
        wanted = (tax_type or "").upper()
        return next((r for r in self.rates() if r.tax_type.upper() == wanted), None)

    def account_list(self) -> list[OrgAccount]:
        return [OrgAccount(a["Code"], a.get("Name") or "", a.get("Class") or "", a.get("TaxType"))
                for a in self.accounts or []]

    def account(self, code: str | None) -> OrgAccount | None:
        wanted = (code or "").strip().upper()
        return next((a for a in self.account_list() if a.code.upper() == wanted), None)

    def takes_currency(self, code: str) -> bool:
        enabled = {c.upper() for c in self.currencies or []} | {(self.base_currency or "").upper()}
        return code.upper() in enabled

    def __repr__(self) -> str:
        return f"<XeroOrganisation {self.tenant_id} {self.name!r}>"


def _percent(value: object) -> Decimal:
    """Xero's 15.0000 as 15, 12.5 as 12.5 (JSON numbers, shown as "15%")."""
    number = Decimal(str(value or 0))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
