"""What a new Xero organisation starts with: its chart of accounts and its tax rates.

Modelled on Xero's default NZ and AU charts (codes, names, types and default tax types as a
new organisation shows them). Account ids are derived from (tenant, code) so they are stable
across restarts and resets, like the demo organisations' own ids.
"""
from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from . import msdate
from .repository import Repository

# Sales / purchases default tax type per country (what a line gets when it names none).
DEFAULT_TAX = {
    "NZ": {"sales": "OUTPUT2", "purchases": "INPUT2"},
    "AU": {"sales": "OUTPUT", "purchases": "INPUT"},
}


class Rate(NamedTuple):
    tax_type: str
    name: str
    report_tax_type: str
    rate: float
    revenue: bool
    expenses: bool


TAX_RATES: dict[str, tuple[Rate, ...]] = {
    "NZ": (
        Rate("OUTPUT2", "15% GST on Income", "OUTPUT", 15.0, True, False),
        Rate("INPUT2", "15% GST on Expenses", "INPUT", 15.0, False, True),
        Rate("NONE", "No GST", "NONE", 0.0, True, True),
        Rate("ZERORATEDOUTPUT", "Zero Rated", "OUTPUT", 0.0, True, False),
        Rate("EXEMPTOUTPUT", "Exempt Income", "EXEMPTOUTPUT", 0.0, True, False),
        Rate("EXEMPTINPUT", "Exempt Expenses", "EXEMPTINPUT", 0.0, False, True),
        Rate("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", 0.0, False, True),
    ),
    "AU": (
        Rate("OUTPUT", "GST on Income", "OUTPUT", 10.0, True, False),
        Rate("INPUT", "GST on Expenses", "INPUT", 10.0, False, True),
        Rate("EXEMPTOUTPUT", "GST Free Income", "EXEMPTOUTPUT", 0.0, True, False),
        Rate("EXEMPTEXPENSES", "GST Free Expenses", "EXEMPTEXPENSES", 0.0, False, True),
        Rate("EXEMPTEXPORT", "GST Free Exports", "EXEMPTEXPORT", 0.0, True, False),
        Rate("INPUTTAXED", "Input Taxed", "INPUTTAXED", 0.0, True, True),
        Rate("BASEXCLUDED", "BAS Excluded", "BASEXCLUDED", 0.0, True, True),
        Rate("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", 0.0, False, True),
    ),
}


class Acct(NamedTuple):
    code: str
    name: str
    type: str
    tax: str            # "sales" | "purchases" | a literal TaxType
    klass: str
    reporting_code: str
    payments: bool = False
    expense_claims: bool = False
    system_account: str | None = None


ACCOUNTS: tuple[Acct, ...] = (
    Acct("090", "Business Bank Account", "BANK", "NONE", "ASSET", "ASS.CUR.CAS.BAN"),
    Acct("200", "Sales", "REVENUE", "sales", "REVENUE", "REV.TRA.GOO"),
    Acct("260", "Other Revenue", "REVENUE", "sales", "REVENUE", "REV.OTH"),
    Acct("270", "Interest Income", "REVENUE", "NONE", "REVENUE", "REV.INV.INT"),
    Acct("300", "Purchases", "DIRECTCOSTS", "purchases", "EXPENSE", "EXP.COS.PUR", expense_claims=True),
    Acct("310", "Cost of Goods Sold", "DIRECTCOSTS", "purchases", "EXPENSE", "EXP.COS", expense_claims=True),
    Acct("400", "Advertising", "EXPENSE", "purchases", "EXPENSE", "EXP.ADV", expense_claims=True),
    Acct("404", "Bank Fees", "EXPENSE", "NONE", "EXPENSE", "EXP.BAN"),
    Acct("408", "Cleaning", "EXPENSE", "purchases", "EXPENSE", "EXP.CLE", expense_claims=True),
    Acct("412", "Consulting & Accounting", "EXPENSE", "purchases", "EXPENSE", "EXP.PRO.ACC", expense_claims=True),
    Acct("420", "Entertainment", "EXPENSE", "NONE", "EXPENSE", "EXP.ENT", expense_claims=True),
    Acct("425", "Freight & Courier", "EXPENSE", "purchases", "EXPENSE", "EXP.FRE", expense_claims=True),
    Acct("429", "General Expenses", "EXPENSE", "purchases", "EXPENSE", "EXP", expense_claims=True),
    Acct("433", "Insurance", "EXPENSE", "purchases", "EXPENSE", "EXP.INS", expense_claims=True),
    Acct("445", "Light, Power, Heating", "EXPENSE", "purchases", "EXPENSE", "EXP.UTI", expense_claims=True),
    Acct("449", "Motor Vehicle Expenses", "EXPENSE", "purchases", "EXPENSE", "EXP.VEH", expense_claims=True),
    Acct("453", "Office Expenses", "EXPENSE", "purchases", "EXPENSE", "EXP.OFF", expense_claims=True),
    Acct("461", "Printing & Stationery", "EXPENSE", "purchases", "EXPENSE", "EXP.OFF.PRI", expense_claims=True),
    Acct("469", "Rent", "EXPENSE", "purchases", "EXPENSE", "EXP.REN", expense_claims=True),
    Acct("473", "Repairs and Maintenance", "EXPENSE", "purchases", "EXPENSE", "EXP.REP", expense_claims=True),
    Acct("485", "Subscriptions", "EXPENSE", "purchases", "EXPENSE", "EXP.SUB", expense_claims=True),
    Acct("489", "Telephone & Internet", "EXPENSE", "purchases", "EXPENSE", "EXP.COM", expense_claims=True),
    Acct("493", "Travel - National", "EXPENSE", "purchases", "EXPENSE", "EXP.TRA.NAT", expense_claims=True),
    Acct("610", "Accounts Receivable", "CURRENT", "NONE", "ASSET", "ASS.CUR.REC.TRA", system_account="DEBTORS"),
    Acct("620", "Prepayments", "CURRENT", "NONE", "ASSET", "ASS.CUR.REC.PRE"),
    Acct("630", "Inventory", "INVENTORY", "NONE", "ASSET", "ASS.CUR.INY"),
    Acct("710", "Office Equipment", "FIXED", "purchases", "ASSET", "ASS.NCA.FIX.OFF"),
    Acct("720", "Computer Equipment", "FIXED", "purchases", "ASSET", "ASS.NCA.FIX.OFF"),
    Acct("800", "Accounts Payable", "CURRLIAB", "NONE", "LIABILITY", "LIA.CUR.PAY.TRA", system_account="CREDITORS"),
    Acct("820", "GST", "CURRLIAB", "NONE", "LIABILITY", "LIA.CUR.TAX.GST", system_account="GST"),
    Acct("900", "Loan", "TERMLIAB", "NONE", "LIABILITY", "LIA.NCL.LOA"),
    Acct("960", "Retained Earnings", "EQUITY", "NONE", "EQUITY", "EQU.RET", system_account="RETAINEDEARNINGS"),
    Acct("970", "Owner A Funds Introduced", "EQUITY", "NONE", "EQUITY", "EQU.ADJ"),
)

_ID_NAMESPACE = uuid.UUID("6f1d2c3a-7b8e-4c5d-9e0f-1a2b3c4d5e6f")


def account_id(tenant_id: str, code: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{tenant_id}:account:{code}"))


def tax_rate_doc(rate: Rate) -> dict[str, Any]:
    return {
        "Name": rate.name,
        "TaxType": rate.tax_type,
        "ReportTaxType": rate.report_tax_type,
        "CanApplyToAssets": True,
        "CanApplyToEquity": True,
        "CanApplyToExpenses": rate.expenses,
        "CanApplyToLiabilities": True,
        "CanApplyToRevenue": rate.revenue,
        "DisplayTaxRate": rate.rate,
        "EffectiveRate": rate.rate,
        "Status": "ACTIVE",
        "TaxComponents": [{"Name": "GST", "Rate": rate.rate, "IsCompound": False,
                           "IsNonRecoverable": False}],
    }


def account_doc(tenant_id: str, country: str, currency: str, acct: Acct, updated: str) -> dict[str, Any]:
    tax_type = DEFAULT_TAX[country].get(acct.tax, acct.tax) if country in DEFAULT_TAX else "NONE"
    doc: dict[str, Any] = {
        "AccountID": account_id(tenant_id, acct.code),
        "Code": acct.code,
        "Name": acct.name,
        "Status": "ACTIVE",
        "Type": acct.type,
        "TaxType": tax_type,
        "Class": acct.klass,
        "EnablePaymentsToAccount": acct.payments,
        "ShowInExpenseClaims": acct.expense_claims,
        "ReportingCode": acct.reporting_code,
        "ReportingCodeName": acct.name,
        "HasAttachments": False,
        "UpdatedDateUTC": updated,
        "AddToWatchlist": False,
    }
    if acct.type == "BANK":
        doc.update(BankAccountNumber="0209087654321050", BankAccountType="BANK", CurrencyCode=currency)
    if acct.system_account:
        doc["SystemAccount"] = acct.system_account
    return doc


def seed_organisation(repo: Repository, org: Any, now: float) -> None:
    """Chart of accounts and tax rates of a new organisation (idempotent: keeps existing)."""
    country = org["country_code"]
    updated = msdate.ms_from_epoch(now)
    existing_accounts = {a["Code"] for a in repo.all("accounts")}
    for acct in ACCOUNTS:
        if acct.code not in existing_accounts:
            doc = account_doc(repo.tenant_id, country, org["base_currency"], acct, updated)
            repo.save("accounts", doc["AccountID"], doc)
    existing_rates = {t["TaxType"] for t in repo.all("taxrates")}
    for rate in TAX_RATES.get(country, TAX_RATES["NZ"]):
        if rate.tax_type not in existing_rates:
            repo.save("taxrates", rate.tax_type, tax_rate_doc(rate))
