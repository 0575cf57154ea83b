"""Organisations in three regions (NZ, AU, UK), each with its own tax rates, accounts and
enabled currencies; POST /_sandbox/orgs; and Xero's refusals of a currency the organisation
has not enabled and of a tax rate it does not have or that does not fit the line."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.identity.testing import authorize_path, submit
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID, UK_TENANT_ID

API = "/api.xro/2.0"
ALL = [DEMO_TENANT_ID, SECOND_TENANT_ID, UK_TENANT_ID]
NOT_SUBSCRIBED = "Organisation is not subscribed to currency {}"
NO_SUCH_TAX = "The TaxType code '{}' does not exist or cannot be used for this type of transaction."


@pytest.fixture
def token(client) -> dict:
    return minted_token(client, tenants=ALL)


def get(client, token, path: str, tenant: str = DEMO_TENANT_ID, **query):
    answer = client.get(f"{API}/{path}", headers=auth_headers(token, tenant), query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def contact_id(client, token, tenant: str) -> str:
    made = client.put(f"{API}/Contacts", headers=auth_headers(token, tenant),
                      json={"Contacts": [{"Name": "Regional Customer"}]})
    return made.get_json()["Contacts"][0]["ContactID"]


def invoice(contact: str, **fields) -> dict:
    line = {"Description": "Widgets", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"}
    line.update(fields.pop("line", {}))
    return {"Type": "ACCREC", "Contact": {"ContactID": contact}, "LineItems": [line], **fields}


def purchase_order(contact: str, **fields) -> dict:
    line = {"Description": "Paper", "Quantity": 4, "UnitAmount": 25, "AccountCode": "300"}
    line.update(fields.pop("line", {}))
    return {"Contact": {"ContactID": contact}, "LineItems": [line], **fields}


def put(client, token, tenant: str, plural: str, element: dict, **query):
    return client.put(f"{API}/{plural}", headers=auth_headers(token, tenant),
                      json={plural: [element]}, query_string=query)


def errors_of(answer) -> list[str]:
    body = answer.get_json()
    return [e["Message"] for element in body["Elements"] for e in element["ValidationErrors"]]


# -- the three regions ------------------------------------------------------------------------

@pytest.mark.parametrize("tenant, country, currency, version", [
    (DEMO_TENANT_ID, "NZ", "NZD", "NZ"), (SECOND_TENANT_ID, "AU", "AUD", "AU"),
    (UK_TENANT_ID, "GB", "GBP", "UK")])
def test_each_region_has_its_country_base_currency_and_only_that_currency(client, token, tenant,
                                                                           country, currency, version):
    org = get(client, token, "Organisation", tenant)["Organisations"][0]
    assert (org["CountryCode"], org["BaseCurrency"], org["Version"]) == (country, currency, version)
    assert get(client, token, "Currencies", tenant)["Currencies"] == [
        {"Code": currency, "Description": {"NZD": "New Zealand Dollar", "AUD": "Australian Dollar",
                                           "GBP": "British Pound"}[currency]}]


def test_the_uk_organisation_has_uk_vat_rates(client, token) -> None:
    rates = {t["TaxType"]: t for t in get(client, token, "TaxRates", UK_TENANT_ID)["TaxRates"]}
    named = {code: (rate["Name"], rate["EffectiveRate"]) for code, rate in rates.items()}
    assert named["OUTPUT2"] == ("20% (VAT on Income)", 20.0)
    assert named["INPUT2"] == ("20% (VAT on Expenses)", 20.0)
    assert named["RROUTPUT"] == ("5% (VAT on Income)", 5.0) and named["RRINPUT"][1] == 5.0
    assert {"ZERORATEDOUTPUT", "ZERORATEDINPUT", "EXEMPTOUTPUT", "EXEMPTINPUT", "NONE"} <= set(rates)
    assert named["NONE"] == ("No VAT", 0.0)
    assert (rates["OUTPUT2"]["CanApplyToRevenue"], rates["OUTPUT2"]["CanApplyToExpenses"]) == (True, False)
    assert (rates["INPUT2"]["CanApplyToRevenue"], rates["INPUT2"]["CanApplyToExpenses"]) == (False, True)
    assert rates["OUTPUT2"]["TaxComponents"][0]["Name"] == "VAT"
    accounts = {a["Code"]: a for a in get(client, token, "Accounts", UK_TENANT_ID)["Accounts"]}
    assert accounts["820"]["Name"] == "VAT"
    assert (accounts["200"]["TaxType"], accounts["300"]["TaxType"]) == ("OUTPUT2", "INPUT2")


def test_the_australian_organisation_has_gst_rates_and_no_nz_codes(client, token) -> None:
    rates = {t["TaxType"]: t for t in get(client, token, "TaxRates", SECOND_TENANT_ID)["TaxRates"]}
    assert rates["OUTPUT"]["EffectiveRate"] == rates["INPUT"]["EffectiveRate"] == 10.0
    assert {"EXEMPTOUTPUT", "EXEMPTEXPENSES", "INPUTTAXED", "BASEXCLUDED", "GSTONIMPORTS"} <= set(rates)
    assert not {"OUTPUT2", "INPUT2", "NONE"} & set(rates)
    gst_on_imports = rates["GSTONIMPORTS"]
    assert (gst_on_imports["CanApplyToLiabilities"], gst_on_imports["CanApplyToExpenses"]) == (True, False)
    accounts = {a["Code"]: a for a in get(client, token, "Accounts", SECOND_TENANT_ID)["Accounts"]}
    # Every account's default tax type is one of the organisation's own rates.
    assert {a["TaxType"] for a in accounts.values()} <= set(rates)
    assert accounts["404"]["TaxType"] == "EXEMPTEXPENSES" and accounts["800"]["TaxType"] == "BASEXCLUDED"


def test_each_region_taxes_its_own_codes_at_its_own_rate(client, token) -> None:
    for tenant, sales, purchases, percent in ((DEMO_TENANT_ID, "OUTPUT2", "INPUT2", 15),
                                              (SECOND_TENANT_ID, "OUTPUT", "INPUT", 10),
                                              (UK_TENANT_ID, "OUTPUT2", "INPUT2", 20)):
        contact = contact_id(client, token, tenant)
        sold = put(client, token, tenant, "Invoices", invoice(contact, line={"TaxType": sales}))
        assert sold.status_code == 200, sold.get_json()
        assert sold.get_json()["Invoices"][0]["TotalTax"] == percent  # on 100.00
        bought = put(client, token, tenant, "PurchaseOrders",
                     purchase_order(contact, line={"TaxType": purchases}))
        assert bought.status_code == 200, bought.get_json()
        assert bought.get_json()["PurchaseOrders"][0]["TotalTax"] == percent


# -- currencies --------------------------------------------------------------------------------

def test_a_currency_the_organisation_has_not_enabled_is_refused(client, token) -> None:
    contact = contact_id(client, token, DEMO_TENANT_ID)
    refused = put(client, token, DEMO_TENANT_ID, "Invoices", invoice(contact, CurrencyCode="EUR"))
    assert refused.status_code == 400 and errors_of(refused) == [NOT_SUBSCRIBED.format("EUR")]
    order = put(client, token, DEMO_TENANT_ID, "PurchaseOrders",
                purchase_order(contact, CurrencyCode="AUD"))
    assert order.status_code == 400 and errors_of(order) == [NOT_SUBSCRIBED.format("AUD")]
    assert client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices").get_json()["Invoices"] == []

    per_element = put(client, token, DEMO_TENANT_ID, "Invoices", invoice(contact, CurrencyCode="EUR"),
                      summarizeErrors="false")
    (element,) = per_element.get_json()["Invoices"]
    assert element["StatusAttributeString"] == "ERROR"
    assert [e["Message"] for e in element["ValidationErrors"]] == [NOT_SUBSCRIBED.format("EUR")]


def test_enabling_a_currency_lets_documents_use_it(client, token) -> None:
    enabled = client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}/currencies", json={"currencies": ["eur", "USD"]})
    assert enabled.status_code == 200 and enabled.get_json()["currencies"] == ["NZD", "EUR", "USD"]
    listed = get(client, token, "Currencies", DEMO_TENANT_ID, where='Code=="EUR"')["Currencies"]
    assert listed == [{"Code": "EUR", "Description": "Euro"}]
    contact = contact_id(client, token, DEMO_TENANT_ID)
    made = put(client, token, DEMO_TENANT_ID, "Invoices", invoice(contact, CurrencyCode="EUR"))
    assert made.status_code == 200 and made.get_json()["Invoices"][0]["CurrencyCode"] == "EUR"
    assert put(client, token, DEMO_TENANT_ID, "Invoices",
               invoice(contact, CurrencyCode="NZD")).status_code == 200  # the base currency, always
    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}/currencies",
                       json={"currencies": ["XYZ"]}).status_code == 400
    assert client.post("/_sandbox/orgs/00000000-0000-0000-0000-000000000000/currencies",
                       json={"currencies": ["USD"]}).status_code == 404


# -- tax types ---------------------------------------------------------------------------------

def test_a_tax_type_of_another_country_is_refused_with_xeros_message(client, token) -> None:
    contact = contact_id(client, token, SECOND_TENANT_ID)
    refused = put(client, token, SECOND_TENANT_ID, "Invoices",
                  invoice(contact, line={"TaxType": "OUTPUT2", "AccountCode": None}))
    assert refused.status_code == 400 and errors_of(refused) == [NO_SUCH_TAX.format("OUTPUT2")]


def test_a_sales_rate_on_a_purchase_order_line_is_refused(client, token) -> None:
    contact = contact_id(client, token, DEMO_TENANT_ID)
    without_account = put(client, token, DEMO_TENANT_ID, "PurchaseOrders",
                          purchase_order(contact, line={"TaxType": "OUTPUT2", "AccountCode": None}))
    assert without_account.status_code == 400
    assert errors_of(without_account) == [NO_SUCH_TAX.format("OUTPUT2")]
    on_expense_account = put(client, token, DEMO_TENANT_ID, "PurchaseOrders",
                             purchase_order(contact, line={"TaxType": "OUTPUT2"}))
    assert errors_of(on_expense_account) == [
        "The TaxType code 'OUTPUT2' cannot be used with account code '300'."]
    on_invoice = put(client, token, DEMO_TENANT_ID, "Invoices",
                     invoice(contact, line={"TaxType": "INPUT2", "AccountCode": None}))
    assert errors_of(on_invoice) == [NO_SUCH_TAX.format("INPUT2")]
    assert put(client, token, DEMO_TENANT_ID, "PurchaseOrders",
               purchase_order(contact, line={"TaxType": "NONE"})).status_code == 200  # fits both


def test_an_item_with_a_sales_rate_on_its_purchase_details_is_refused(client, token) -> None:
    answer = client.put(f"{API}/Items", headers=auth_headers(token, UK_TENANT_ID), json={"Items": [{
        "Code": "KETTLE", "PurchaseDetails": {"UnitPrice": 12, "TaxType": "OUTPUT2"},
        "SalesDetails": {"UnitPrice": 30, "TaxType": "OUTPUT2"}}]})
    assert answer.status_code == 400 and errors_of(answer) == [NO_SUCH_TAX.format("OUTPUT2")]


def test_the_authorize_page_offers_the_three_regions_and_as_shown_grants_demo_company(client) -> None:
    page = client.get(authorize_path()).get_data(as_text=True)
    assert f'value="{DEMO_TENANT_ID}" checked' in page
    for tenant, name in ((SECOND_TENANT_ID, "Harbour Supplies Ltd (Sandbox)"),
                         (UK_TENANT_ID, "Thames Trading Ltd (Sandbox)")):
        assert f'value="{tenant}">' in page and name in page  # offered, not ticked
    assert submit(client, page).status_code == 302  # as shown
    connections = client.post("/_sandbox/tokens", json={"tenants": []}).get_json()["connections"]
    assert [c["tenantName"] for c in connections] == ["Demo Company (Sandbox)"]


# -- POST /_sandbox/orgs ----------------------------------------------------------------------

def test_a_created_organisation_starts_as_a_new_xero_organisation_of_its_country(client) -> None:
    made = client.post("/_sandbox/orgs", json={"name": "Bench Org 7", "country": "UK",
                                               "base_currency": "GBP", "currencies": ["EUR"]})
    assert made.status_code == 201, made.get_json()
    tenant = made.get_json()["tenant_id"]
    assert made.get_json()["country_code"] == "GB" and made.get_json()["short_code"].startswith("!")
    token = minted_token(client, tenants=[tenant])
    org = get(client, token, "Organisation", tenant)["Organisations"][0]
    assert (org["OrganisationID"], org["Name"], org["BaseCurrency"]) == (tenant, "Bench Org 7", "GBP")
    assert [c["Code"] for c in get(client, token, "Currencies", tenant)["Currencies"]] == ["GBP", "EUR"]
    rates = {t["TaxType"] for t in get(client, token, "TaxRates", tenant)["TaxRates"]}
    assert {"OUTPUT2", "INPUT2", "RROUTPUT", "RRINPUT"} <= rates
    contact = contact_id(client, token, tenant)
    assert put(client, token, tenant, "Invoices",
               invoice(contact, CurrencyCode="EUR", line={"TaxType": "RROUTPUT"})).status_code == 200
    listed = client.get("/_sandbox/orgs").get_json()["organisations"]
    assert [o["tenant_id"] for o in listed][:3] == ALL and listed[-1]["tenant_id"] == tenant


def test_a_created_organisation_can_be_granted_on_the_authorize_page(client) -> None:
    tenant = client.post("/_sandbox/orgs", json={
        "name": "Kiwi Two Ltd", "country": "NZ", "base_currency": "NZD",
        "tenant_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "short_code": "!Kiwi2"}).get_json()["tenant_id"]
    assert tenant == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    page = client.get(authorize_path()).get_data(as_text=True)
    assert f'value="{tenant}">' in page and "Kiwi Two Ltd" in page      # offered, not ticked
    assert f'value="{DEMO_TENANT_ID}" checked' in page                  # the default stays
    assert submit(client, page, tenants=[tenant]).status_code == 302
    connections = client.post("/_sandbox/tokens", json={"tenants": []}).get_json()["connections"]
    assert tenant in {c["tenantId"] for c in connections}


@pytest.mark.parametrize("body, words", [
    ({"country": "NZ", "base_currency": "NZD"}, "name is required"),
    ({"name": "X", "country": "US", "base_currency": "USD"}, "country must be one of"),
    ({"name": "X", "country": "NZ", "base_currency": "KIWI"}, "base_currency"),
    ({"name": "X", "country": "NZ", "base_currency": "NZD", "currencies": "USD"}, "currencies must be a list"),
    ({"name": "X", "country": "NZ", "base_currency": "NZD", "short_code": "abc"}, "short_code"),
])
def test_creating_an_organisation_with_bad_input_is_a_400(client, body, words) -> None:
    answer = client.post("/_sandbox/orgs", json=body)
    assert answer.status_code == 400 and words in answer.get_json()["error"]


def test_a_tenant_id_already_in_use_is_a_409(client) -> None:
    answer = client.post("/_sandbox/orgs", json={"name": "Again", "country": "NZ", "base_currency": "NZD",
                                                 "tenant_id": DEMO_TENANT_ID})
    assert answer.status_code == 409


def test_created_organisations_are_gone_after_a_reset_and_the_demo_three_remain(client) -> None:
    client.post("/_sandbox/orgs", json={"name": "Temporary", "country": "AU", "base_currency": "AUD"})
    assert client.post("/_sandbox/reset").status_code == 200
    assert [o["tenant_id"] for o in client.get("/_sandbox/orgs").get_json()["organisations"]] == ALL
