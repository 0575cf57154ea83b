"""/Organisation, /Accounts, /TaxRates per organisation, and the /_sandbox/objects control routes."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

API = "/api.xro/2.0"


@pytest.fixture
def token(client) -> dict:
    return minted_token(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])


def test_organisation_maps_the_tenant(client, token) -> None:
    body = client.get(f"{API}/Organisation", headers=auth_headers(token)).get_json()
    assert body["ProviderName"] == "Sandbox App"  # the calling app's registered name
    org = body["Organisations"][0]
    assert org["OrganisationID"] == DEMO_TENANT_ID and org["ShortCode"] == "!kT7qP"
    assert (org["Name"], org["CountryCode"], org["BaseCurrency"]) == ("Demo Company (Sandbox)", "NZ", "NZD")
    assert org["CreatedDateUTC"].startswith("/Date(")
    second = client.get(f"{API}/Organisation", headers=auth_headers(token, SECOND_TENANT_ID)).get_json()
    assert second["Organisations"][0]["ShortCode"] == "!Wb2xR"
    assert second["Organisations"][0]["Version"] == "AU"


def test_chart_of_accounts_with_where_order_and_by_id(client, token) -> None:
    headers = auth_headers(token)
    accounts = client.get(f"{API}/Accounts", headers=headers).get_json()["Accounts"]
    codes = {a["Code"]: a for a in accounts}
    for code, name, type_ in (("200", "Sales", "REVENUE"), ("260", "Other Revenue", "REVENUE"),
                              ("300", "Purchases", "DIRECTCOSTS"), ("310", "Cost of Goods Sold", "DIRECTCOSTS"),
                              ("630", "Inventory", "INVENTORY"), ("800", "Accounts Payable", "CURRLIAB")):
        assert (codes[code]["Name"], codes[code]["Type"], codes[code]["Status"]) == (name, type_, "ACTIVE")
    assert codes["200"]["TaxType"] == "OUTPUT2" and codes["300"]["TaxType"] == "INPUT2"
    revenue = client.get(f"{API}/Accounts", headers=headers,
                         query_string={"where": 'Type=="REVENUE"', "order": "Code DESC"}).get_json()["Accounts"]
    assert [a["Code"] for a in revenue] == ["270", "260", "200"]
    one = client.get(f"{API}/Accounts/{codes['200']['AccountID']}", headers=headers).get_json()["Accounts"]
    assert one[0]["Code"] == "200"
    au = client.get(f"{API}/Accounts", headers=auth_headers(token, SECOND_TENANT_ID)).get_json()["Accounts"]
    au_sales = next(a for a in au if a["Code"] == "200")
    assert au_sales["TaxType"] == "OUTPUT" and au_sales["AccountID"] != codes["200"]["AccountID"]


def test_tax_rates_by_country(client, token) -> None:
    nz = client.get(f"{API}/TaxRates", headers=auth_headers(token)).get_json()["TaxRates"]
    au = client.get(f"{API}/TaxRates", headers=auth_headers(token, SECOND_TENANT_ID)).get_json()["TaxRates"]
    nz_rates = {t["TaxType"]: t["EffectiveRate"] for t in nz}
    au_rates = {t["TaxType"]: t["EffectiveRate"] for t in au}
    assert nz_rates["OUTPUT2"] == nz_rates["INPUT2"] == 15.0 and nz_rates["NONE"] == 0.0
    # A new NZ organisation's rates, as the spec's own GET /TaxRates example lists them.
    assert set(nz_rates) == {"INPUT2", "OUTPUT2", "GSTONIMPORTS", "NONE", "ZERORATED"}
    assert au_rates["OUTPUT"] == au_rates["INPUT"] == 10.0
    assert {"EXEMPTOUTPUT", "EXEMPTEXPENSES", "BASEXCLUDED"} <= set(au_rates) and "OUTPUT2" not in au_rates
    gst = next(t for t in nz if t["TaxType"] == "OUTPUT2")
    assert gst["TaxComponents"] == [{"Name": "GST", "Rate": 15.0, "IsCompound": False, "IsNonRecoverable": False}]
    filtered = client.get(f"{API}/TaxRates", headers=auth_headers(token),
                          query_string={"where": 'TaxType=="INPUT2"'}).get_json()["TaxRates"]
    assert [t["Name"] for t in filtered] == ["15% GST on Expenses"]
    one = client.get(f"{API}/TaxRates/input2", headers=auth_headers(token)).get_json()["TaxRates"]
    assert [t["TaxType"] for t in one] == ["INPUT2"]
    assert client.get(f"{API}/TaxRates/OUTPUT", headers=auth_headers(token)).status_code == 404  # AU only


def test_reference_data_survives_a_reset(client, token) -> None:
    assert client.post("/_sandbox/reset").status_code == 200
    token = minted_token(client)
    accounts = client.get(f"{API}/Accounts", headers=auth_headers(token)).get_json()["Accounts"]
    assert any(a["Code"] == "200" for a in accounts)


def test_settings_scope_is_needed(client) -> None:
    headers = auth_headers(minted_token(client, scopes="accounting.contacts"))
    assert client.get(f"{API}/Organisation", headers=headers).status_code == 401


def test_control_lists_objects_without_touching_the_api_counters(client, token) -> None:
    headers = auth_headers(token)
    client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Seen"}]})
    before = client.get("/_sandbox/stats").get_json()
    listed = client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts").get_json()
    assert [c["Name"] for c in listed["Contacts"]] == ["Seen"]
    assert client.get(f"/_sandbox/objects/{SECOND_TENANT_ID}/contacts").get_json() == {"Contacts": []}
    assert client.get("/_sandbox/stats").get_json() == before
    assert client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/widgets").status_code == 404


def test_control_edits_and_archives_like_a_xero_user(client, token) -> None:
    headers = auth_headers(token)
    contact = client.put(f"{API}/Contacts", headers=headers,
                         json={"Contacts": [{"Name": "Before"}]}).get_json()["Contacts"][0]
    edited = client.patch(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts/{contact['ContactID']}",
                          json={"Name": "Renamed In Xero"})
    assert edited.status_code == 200
    seen = client.get(f"{API}/Contacts/{contact['ContactID']}", headers=headers).get_json()["Contacts"][0]
    assert seen["Name"] == "Renamed In Xero"
    archived = client.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts/{contact['ContactID']}/status",
                           json={"Status": "ARCHIVED"})
    assert archived.get_json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    bad = client.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts/{contact['ContactID']}/status",
                      json={"Status": "SHINY"})
    assert bad.status_code == 400


def test_an_organisation_added_later_gets_its_reference_data(client, sandbox_app) -> None:
    store = sandbox_app.extensions["xerosandbox"].store
    new_org = "5b0c7f0e-2a51-4c55-8f0e-0a9d6c1e7b42"
    store.execute("INSERT INTO organisations (tenant_id, name, legal_name, short_code, country_code, "
                  "base_currency, timezone, created_utc) VALUES (?,?,?,?,?,?,?,?)",
                  (new_org, "Late Org", "Late Org", "!late1", "AU", "AUD", "AUSEASTERNSTANDARDTIME", 0))
    headers = auth_headers(minted_token(client, tenants=[new_org]), new_org)
    made = client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"Name": "First Customer"},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 50, "AccountCode": "200"}]}]})
    assert made.status_code == 200, made.get_json()
    assert made.get_json()["Invoices"][0]["TotalTax"] == 5.0
