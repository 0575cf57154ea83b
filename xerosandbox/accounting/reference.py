"""Read-only reference resources: ``/Organisation``, ``/Accounts``, ``/TaxRates``,
``/Currencies`` (the data itself is seeded from reference_data).

``/Currencies`` lists the currencies the organisation has enabled: a new organisation has just
its base currency; more are added in Xero's Settings > Currencies (here:
``POST /_sandbox/orgs/<tenant_id>/currencies``). Documents in any other currency are refused
(documents.check_currency)."""
from __future__ import annotations

import uuid
from typing import Any

from flask import Response

from .. import orgs
from ..api import bp, requires_scope
from . import listing, msdate
from .context import current_repo
from .envelope import envelope, not_found, translate_errors

SETTINGS_READ = ("accounting.settings", "accounting.settings.read")
VERSIONS = {"NZ": "NZ", "AU": "AU", "GB": "UK", "US": "US"}


def organisation_doc(org: Any) -> dict[str, Any]:
    """The organisations row in the shape of the spec's Organisation."""
    country = org["country_code"]
    sales_tax = "Tax Exclusive"
    return {
        "APIKey": org["tenant_id"].replace("-", "").upper()[:30],
        "Name": org["name"],
        "LegalName": org["legal_name"],
        "PaysTax": True,
        "Version": VERSIONS.get(country, "GLOBAL"),
        "OrganisationType": org["organisation_type"],
        "BaseCurrency": org["base_currency"],
        "CountryCode": country,
        "IsDemoCompany": org["class"] == "DEMO",
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 6 if country == "AU" else 3,
        "SalesTaxBasis": "ACCRUALS" if country == "AU" else "INVOICE",
        "SalesTaxPeriod": "QUARTERLY1" if country == "AU" else "TWOMONTHS",
        "DefaultSalesTax": sales_tax,
        "DefaultPurchasesTax": sales_tax,
        "CreatedDateUTC": msdate.ms_plain(org["created_utc"]),
        "OrganisationEntityType": org["organisation_type"],
        "Timezone": org["timezone"],
        "ShortCode": org["short_code"],
        "OrganisationID": org["tenant_id"],
        "Edition": org["edition"],
        "Class": org["class"],
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


@bp.get("/Organisation")
@requires_scope(*SETTINGS_READ)
@translate_errors
def get_organisation() -> Response:
    repo = current_repo()
    org = orgs.get(repo.store, repo.tenant_id)
    return envelope("Organisations", [organisation_doc(org)] if org else [])


@bp.get("/Accounts")
@requires_scope(*SETTINGS_READ)
@translate_errors
def list_accounts() -> Response:
    docs = current_repo().all("accounts")
    docs = listing.modified_since(docs)
    docs = listing.apply_where(docs, "Account")
    docs = listing.apply_order(docs, "Account")
    return envelope("Accounts", docs)


@bp.get("/Accounts/<account_id>")
@requires_scope(*SETTINGS_READ)
@translate_errors
def get_account(account_id: str) -> Response:
    try:
        doc = current_repo().get("accounts", str(uuid.UUID(account_id)))
    except ValueError:
        doc = None
    return envelope("Accounts", [doc]) if doc else not_found()


@bp.get("/Currencies")
@requires_scope(*SETTINGS_READ)
@translate_errors
def list_currencies() -> Response:
    docs = current_repo().all("currencies")
    docs = listing.apply_where(docs, "Currency")
    docs = listing.apply_order(docs, "Currency")
    return envelope("Currencies", docs)


@bp.get("/TaxRates")
@requires_scope(*SETTINGS_READ)
@translate_errors
def list_tax_rates() -> Response:
    docs = current_repo().all("taxrates")
    docs = listing.apply_where(docs, "TaxRate")
    docs = listing.apply_order(docs, "TaxRate")
    return envelope("TaxRates", docs)


@bp.get("/TaxRates/<tax_type>")
@requires_scope(*SETTINGS_READ)
@translate_errors
def get_tax_rate(tax_type: str) -> Response:
    doc = current_repo().get("taxrates", tax_type.upper())
    return envelope("TaxRates", [doc]) if doc else not_found()
