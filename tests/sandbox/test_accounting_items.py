"""/Items: create, unique Code, reads by id or code, where with OR, no paging, delete."""
from __future__ import annotations

from tests.sandbox.sandbox_helpers import auth_headers, minted_token

API = "/api.xro/2.0"


def put(client, headers, *items: dict, query: str = ""):
    return client.put(f"{API}/Items{query}", headers=headers, json={"Items": list(items)})


def errors(response) -> list[str]:
    return [e["Message"] for el in response.get_json()["Elements"] for e in el["ValidationErrors"]]


def test_create_with_details_and_defaults(client, headers) -> None:
    response = put(client, headers, {"Code": "BOLT-10", "Name": "Bolt 10mm", "Description": "Sells",
                                     "SalesDetails": {"UnitPrice": 1.005, "AccountCode": "200"},
                                     "PurchaseDetails": {"UnitPrice": 0.5, "AccountCode": "300",
                                                         "TaxType": "input2"}})
    assert response.status_code == 200
    item = response.get_json()["Items"][0]
    assert item["IsSold"] is True and item["IsPurchased"] is True and item["IsTrackedAsInventory"] is False
    assert item["SalesDetails"] == {"UnitPrice": 1.01, "AccountCode": "200"}
    assert item["PurchaseDetails"]["TaxType"] == "INPUT2"
    assert item["UpdatedDateUTC"].startswith("/Date(")


def prices(item: dict) -> tuple[float, float]:
    return item["SalesDetails"]["UnitPrice"], item["PurchaseDetails"]["UnitPrice"]


def test_unit_prices_keep_four_places_only_with_unitdp_4(client, headers) -> None:
    details = {"SalesDetails": {"UnitPrice": 10.1234}, "PurchaseDetails": {"UnitPrice": 4.56789}}
    two = put(client, headers, {"Code": "TWO", **details}).get_json()["Items"][0]
    four = put(client, headers, {"Code": "FOUR", **details}, query="?unitdp=4").get_json()["Items"][0]
    assert prices(two) == (10.12, 4.57)
    assert prices(four) == (10.1234, 4.5679)
    # Reads show 2 dp unless they ask for 4, whatever the item holds.
    assert prices(client.get(f"{API}/Items/FOUR", headers=headers).get_json()["Items"][0]) == (10.12, 4.57)
    assert prices(client.get(f"{API}/Items/FOUR?unitdp=4", headers=headers).get_json()["Items"][0]) == (10.1234, 4.5679)
    listed = client.get(f"{API}/Items?unitdp=4", headers=headers).get_json()["Items"]
    assert [prices(i) for i in listed if i["Code"] == "FOUR"] == [(10.1234, 4.5679)]
    # An update without unitdp that leaves a price out does not round the stored one.
    client.post(f"{API}/Items/{four['ItemID']}", headers=headers,
                json={"Items": [{"Name": "Renamed", "SalesDetails": {"AccountCode": "200"}}]})
    assert prices(client.get(f"{API}/Items/FOUR?unitdp=4", headers=headers).get_json()["Items"][0]) == (10.1234, 4.5679)


def test_code_is_required_and_unique(client, headers) -> None:
    put(client, headers, {"Code": "abc"})
    duplicate = put(client, headers, {"Code": "ABC", "Name": "again"})
    assert duplicate.status_code == 400
    assert errors(duplicate) == ["Price List Item with Code ''ABC'' already exists"]
    missing = put(client, headers, {"Name": "No code"})
    assert errors(missing) == ["Item code must be specified."]
    too_long = put(client, headers, {"Code": "x" * 31})
    assert "30" in errors(too_long)[0]


def test_accounts_and_tax_types_must_exist(client, headers) -> None:
    response = put(client, headers, {"Code": "X", "SalesDetails": {"AccountCode": "999", "TaxType": "NOPE"}})
    assert errors(response) == [
        "Account code '999' is not a valid code for this document.",
        "The TaxType code 'NOPE' does not exist or cannot be used for this type of transaction.",
    ]


def test_get_by_id_or_code_update_and_delete(client, headers) -> None:
    item = put(client, headers, {"Code": "W-1", "Name": "Widget"}).get_json()["Items"][0]
    by_code = client.get(f"{API}/Items/w-1", headers=headers).get_json()["Items"][0]
    assert by_code["ItemID"] == item["ItemID"]
    renamed = client.post(f"{API}/Items/{item['ItemID']}", headers=headers,
                          json={"Items": [{"Name": "Widget Pro", "IsSold": False}]})
    assert renamed.status_code == 200
    assert renamed.get_json()["Items"][0]["Name"] == "Widget Pro"
    assert renamed.get_json()["Items"][0]["SalesDetails"] == {}
    deleted = client.delete(f"{API}/Items/{item['ItemID']}", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    assert client.get(f"{API}/Items/{item['ItemID']}", headers=headers).status_code == 404
    assert client.delete(f"{API}/Items/{item['ItemID']}", headers=headers).status_code == 404


def test_post_with_item_id_updates_in_place(client, headers) -> None:
    item = put(client, headers, {"Code": "A"}).get_json()["Items"][0]
    response = client.post(f"{API}/Items", headers=headers, json={"Items": [
        {"ItemID": item["ItemID"], "Code": "A2"}, {"Code": "B"}]})
    assert [i["Code"] for i in response.get_json()["Items"]] == ["A2", "B"]
    assert response.get_json()["Items"][0]["ItemID"] == item["ItemID"]


def test_tracked_inventory_needs_an_inventory_account(client, headers) -> None:
    tracked = put(client, headers, {"Code": "T", "InventoryAssetAccountCode": "630",
                                    "PurchaseDetails": {"COGSAccountCode": "310"}}).get_json()["Items"][0]
    assert tracked["IsTrackedAsInventory"] is True and tracked["QuantityOnHand"] == 0.0
    wrong = put(client, headers, {"Code": "U", "InventoryAssetAccountCode": "200"})
    assert wrong.status_code == 400


def test_where_with_or_and_no_paging(client, headers) -> None:
    batch = [{"Code": f"C{n:03d}"} for n in range(120)]
    assert client.raw.put(f"{API}/Items", headers=headers, json={"Items": batch}).status_code == 200
    everything = client.get(f"{API}/Items?page=1", headers=headers).get_json()
    assert len(everything["Items"]) == 120 and "pagination" not in everything
    some = client.get(f"{API}/Items", headers=headers,
                      query_string={"where": 'Code=="C001" OR Code=="c119" || Code=="nope"', "order": "Code DESC"})
    assert [i["Code"] for i in some.get_json()["Items"]] == ["C119", "C001"]


def test_granular_invoices_scope_reaches_items(client) -> None:
    headers = auth_headers(minted_token(client, scopes="accounting.invoices"))
    assert put(client, headers, {"Code": "G"}).status_code == 200
    read_only = auth_headers(minted_token(client, scopes="accounting.settings.read"))
    assert client.get(f"{API}/Items", headers=read_only).status_code == 200
    assert put(client, read_only, {"Code": "H"}).status_code == 401
