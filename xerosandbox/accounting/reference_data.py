"""What a new Xero organisation starts with: its chart of accounts, its tax rates and its
one enabled currency.

Modelled on the defaults a new Xero organisation of each country shows (NZ, AU and the UK,
whose CountryCode is GB). Account ids are derived from (tenant, code) so they are stable across
restarts and resets, like the demo organisations' own ids.

Tax rates and where each may be used (``CanApplyTo*``) follow Xero's "Tax Rate Constraints"
table of default rates (developer.xero.com/documentation/api/accounting/taxrates) and, for New
Zealand, the spec's own ``GET /TaxRates`` example (xero_accounting.yaml): a new NZ organisation
has INPUT2, OUTPUT2, GSTONIMPORTS, NONE and ZERORATED. The UK names are those of
help.xero.com/uk/Tax-SetDefaults ("20% (VAT on Income)" ...).
"""
from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from . import msdate
from .repository import Repository

COUNTRIES = ("NZ", "AU", "GB")

# The tax type an account of each kind starts with, per country: sales and purchases; income
# and expenses outside the tax (interest, bank fees); and balance-sheet accounts. Australia
# has no NONE rate: "BAS Excluded" is its "not reported" rate.
DEFAULT_TAX = {
    "NZ": {"sales": "OUTPUT2", "purchases": "INPUT2", "exempt_sales": "NONE",
           "exempt_purchases": "NONE", "none": "NONE"},
    "AU": {"sales": "OUTPUT", "purchases": "INPUT", "exempt_sales": "EXEMPTOUTPUT",
           "exempt_purchases": "EXEMPTEXPENSES", "none": "BASEXCLUDED"},
    "GB": {"sales": "OUTPUT2", "purchases": "INPUT2", "exempt_sales": "EXEMPTOUTPUT",
           "exempt_purchases": "EXEMPTINPUT", "none": "NONE"},
}
TAX_NAME = {"NZ": "GST", "AU": "GST", "GB": "VAT"}

# Account classes a rate may be used with (the TaxRate's CanApplyTo* flags).
INCOME = frozenset({"Revenue", "Assets", "Equity", "Liabilities"})
EXPENSE = frozenset({"Expenses", "Assets", "Equity", "Liabilities"})
ANY = frozenset({"Revenue", "Expenses", "Assets", "Equity", "Liabilities"})
LIABILITIES = frozenset({"Liabilities"})
REVENUE_ONLY = frozenset({"Revenue", "Liabilities"})


class Rate(NamedTuple):
    tax_type: str
    name: str
    report_tax_type: str
    rate: float
    applies: frozenset[str]


TAX_RATES: dict[str, tuple[Rate, ...]] = {
    "NZ": (
        Rate("INPUT2", "15% GST on Expenses", "INPUT", 15.0, EXPENSE),
        Rate("OUTPUT2", "15% GST on Income", "OUTPUT", 15.0, INCOME),
        Rate("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", 0.0, LIABILITIES),
        Rate("NONE", "No GST", "NONE", 0.0, ANY),
        Rate("ZERORATED", "Zero Rated", "OUTPUT", 0.0, REVENUE_ONLY),
    ),
    "AU": (
        Rate("OUTPUT", "GST on Income", "OUTPUT", 10.0, INCOME),
        Rate("INPUT", "GST on Expenses", "INPUT", 10.0, EXPENSE),
        Rate("EXEMPTOUTPUT", "GST Free Income", "EXEMPTOUTPUT", 0.0, INCOME),
        Rate("EXEMPTEXPENSES", "GST Free Expenses", "EXEMPTEXPENSES", 0.0, EXPENSE),
        Rate("EXEMPTEXPORT", "GST Free Exports", "EXEMPTEXPORT", 0.0, INCOME),
        Rate("EXEMPTCAPITAL", "GST Free Capital", "EXEMPTCAPITAL", 0.0, EXPENSE),
        Rate("CAPEXINPUT", "GST on Capital", "CAPITALEXINPUT", 10.0, EXPENSE),
        Rate("INPUTTAXED", "Input Taxed", "INPUTTAXED", 0.0, ANY),
        Rate("BASEXCLUDED", "BAS Excluded", "BASEXCLUDED", 0.0, ANY),
        Rate("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", 0.0, LIABILITIES),
        Rate("GSTONCAPIMPORTS", "GST on Capital Imports", "GSTONCAPIMPORTS", 0.0, LIABILITIES),
    ),
    "GB": (
        Rate("OUTPUT2", "20% (VAT on Income)", "OUTPUT", 20.0, INCOME),
        Rate("INPUT2", "20% (VAT on Expenses)", "INPUT", 20.0, EXPENSE),
        Rate("RROUTPUT", "5% (VAT on Income)", "OUTPUT", 5.0, INCOME),
        Rate("RRINPUT", "5% (VAT on Expenses)", "INPUT", 5.0, EXPENSE),
        Rate("ZERORATEDOUTPUT", "Zero Rated Income", "ZERORATEDOUTPUT", 0.0, INCOME),
        Rate("ZERORATEDINPUT", "Zero Rated Expenses", "ZERORATEDINPUT", 0.0, EXPENSE),
        Rate("EXEMPTOUTPUT", "Exempt Income", "EXEMPTOUTPUT", 0.0, INCOME),
        Rate("EXEMPTINPUT", "Exempt Expenses", "EXEMPTINPUT", 0.0, EXPENSE),
        Rate("NONE", "No VAT", "NONE", 0.0, ANY),
        Rate("GSTONIMPORTS", "VAT on Imports", "GSTONIMPORTS", 0.0, LIABILITIES),
    ),
}

# Names Xero gives the currencies an organisation most often enables (``GET /Currencies``
# answers Code and Description); any other ISO code is described by its code.
CURRENCY_NAMES = {
    "AUD": "Australian Dollar", "CAD": "Canadian Dollar", "CHF": "Swiss Franc",
    "CNY": "Chinese Yuan", "EUR": "Euro", "FJD": "Fiji Dollar", "GBP": "British Pound",
    "HKD": "Hong Kong Dollar", "JPY": "Japanese Yen", "NZD": "New Zealand Dollar",
    "SGD": "Singapore Dollar", "USD": "United States Dollar", "ZAR": "South African Rand",
}


class Acct(NamedTuple):
    code: str
    name: str
    type: str
    tax: str            # a key of DEFAULT_TAX ("sales", "purchases", "none" ...)
    klass: str
    reporting_code: str
    payments: bool = False
    expense_claims: bool = False
    system_account: str | None = None


ACCOUNTS: tuple[Acct, ...] = (
    Acct("090", "Business Bank Account", "BANK", "none", "ASSET", "ASS.CUR.CAS.BAN"),
    Acct("200", "Sales", "REVENUE", "sales", "REVENUE", "REV.TRA.GOO"),
    Acct("260", "Other Revenue", "REVENUE", "sales", "REVENUE", "REV.OTH"),
    Acct("270", "Interest Income", "REVENUE", "exempt_sales", "REVENUE", "REV.INV.INT"),
    Acct("300", "Purchases", "DIRECTCOSTS", "purchases", "EXPENSE", "EXP.COS.PUR", expense_claims=True),
    Acct("310", "Cost of Goods Sold", "DIRECTCOSTS", "purchases", "EXPENSE", "EXP.COS", expense_claims=True),
    Acct("400", "Advertising", "EXPENSE", "purchases", "EXPENSE", "EXP.ADV", expense_claims=True),
    Acct("404", "Bank Fees", "EXPENSE", "exempt_purchases", "EXPENSE", "EXP.BAN"),
    Acct("408", "Cleaning", "EXPENSE", "purchases", "EXPENSE", "EXP.CLE", expense_claims=True),
    Acct("412", "Consulting & Accounting", "EXPENSE", "purchases", "EXPENSE", "EXP.PRO.ACC", expense_claims=True),
    Acct("420", "Entertainment", "EXPENSE", "none", "EXPENSE", "EXP.ENT", expense_claims=True),
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
    Acct("610", "Accounts Receivable", "CURRENT", "none", "ASSET", "ASS.CUR.REC.TRA", system_account="DEBTORS"),
    Acct("620", "Prepayments", "CURRENT", "none", "ASSET", "ASS.CUR.REC.PRE"),
    Acct("630", "Inventory", "INVENTORY", "none", "ASSET", "ASS.CUR.INY"),
    Acct("710", "Office Equipment", "FIXED", "purchases", "ASSET", "ASS.NCA.FIX.OFF"),
    Acct("720", "Computer Equipment", "FIXED", "purchases", "ASSET", "ASS.NCA.FIX.OFF"),
    Acct("800", "Accounts Payable", "CURRLIAB", "none", "LIABILITY", "LIA.CUR.PAY.TRA", system_account="CREDITORS"),
    Acct("820", "{tax}", "CURRLIAB", "none", "LIABILITY", "LIA.CUR.TAX.GST", system_account="GST"),
    Acct("900", "Loan", "TERMLIAB", "none", "LIABILITY", "LIA.NCL.LOA"),
    Acct("960", "Retained Earnings", "EQUITY", "none", "EQUITY", "EQU.RET", system_account="RETAINEDEARNINGS"),
    Acct("970", "Owner A Funds Introduced", "EQUITY", "none", "EQUITY", "EQU.ADJ"),
)

_ID_NAMESPACE = uuid.UUID("6f1d2c3a-7b8e-4c5d-9e0f-1a2b3c4d5e6f")


def account_id(tenant_id: str, code: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{tenant_id}:account:{code}"))


def tax_rate_doc(rate: Rate, country: str) -> dict[str, Any]:
    return {
        "Name": rate.name,
        "TaxType": rate.tax_type,
        "ReportTaxType": rate.report_tax_type,
        **{f"CanApplyTo{kind}": kind in rate.applies
           for kind in ("Assets", "Equity", "Expenses", "Liabilities", "Revenue")},
        "DisplayTaxRate": rate.rate,
        "EffectiveRate": rate.rate,
        "Status": "ACTIVE",
        "TaxComponents": [{"Name": TAX_NAME.get(country, "GST"), "Rate": rate.rate,
                           "IsCompound": False, "IsNonRecoverable": False}],
    }


def currency_doc(code: str) -> dict[str, Any]:
    return {"Code": code, "Description": CURRENCY_NAMES.get(code, code)}


def account_doc(tenant_id: str, country: str, currency: str, acct: Acct, updated: str) -> dict[str, Any]:
    taxes = DEFAULT_TAX.get(country, DEFAULT_TAX["NZ"])
    name = acct.name.format(tax=TAX_NAME.get(country, "GST"))
    doc: dict[str, Any] = {
        "AccountID": account_id(tenant_id, acct.code),
        "Code": acct.code,
        "Name": name,
        "Status": "ACTIVE",
        "Type": acct.type,
        "TaxType": taxes[acct.tax],
        "Class": acct.klass,
        "EnablePaymentsToAccount": acct.payments,
        "ShowInExpenseClaims": acct.expense_claims,
        "ReportingCode": acct.reporting_code,
        "ReportingCodeName": name,
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
    """Chart of accounts, tax rates and base currency of a new organisation (idempotent:
    keeps what exists, adds what is missing)."""
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
            repo.save("taxrates", rate.tax_type, tax_rate_doc(rate, country))
    enable_currencies(repo, [org["base_currency"]])


def enable_currencies(repo: Repository, codes: list[str]) -> list[dict[str, Any]]:
    """Add currencies to the organisation (as its advisor would in Settings > Currencies);
    answers every enabled currency."""
    enabled = {c["Code"] for c in repo.all("currencies")}
    for code in codes:
        if code not in enabled:
            repo.save("currencies", code, currency_doc(code))
            enabled.add(code)
    return repo.all("currencies")
