"""/PurchaseOrders: existing contacts only, numbering, statuses, filters, paging."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"


@pytest.fixture
def headers(client) -> dict[str, str]:
    return auth_headers(minted_token(client))


@pytest.fixture
def supplier(client, headers) -> dict:
    made = client.put(f"{API}/Contacts", headers=headers,
                      json={"Contacts": [{"Name": "Supplier Co", "ContactNumber": "SUP-1"}]})
    return made.get_json()["Contacts"][0]


def order(contact: dict, **fields) -> dict:
    base = {"Contact": contact, "Date": "2024-05-01", "DeliveryDate": "2024-05-10",
            "LineItems": [{"Description": "Bolts", "Quantity": 10, "UnitAmount": 1.2345,
                           "AccountCode": "300"}]}
    return {**base, **fields}


def put(client, headers, *orders: dict, query: str = ""):
    return client.put(f"{API}/PurchaseOrders{query}", headers=headers, json={"PurchaseOrders": list(orders)})


def created(client, headers, *orders: dict) -> list[dict]:
    response = put(client, headers, *orders)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["PurchaseOrders"]


def errors(response) -> list[str]:
    return [e["Message"] for el in response.get_json()["Elements"] for e in el["ValidationErrors"]]


def test_create_numbers_totals_and_shape(client, headers, supplier) -> None:
    made = created(client, headers, order({"ContactID": supplier["ContactID"]}),
                   order({"ContactNumber": "SUP-1"}, PurchaseOrderNumber="PO-0002"),
                   order({"Name": "supplier co"}))
    assert [p["PurchaseOrderNumber"] for p in made] == ["PO-0001", "PO-0002", "PO-0003"]
    first = made[0]
    assert first["Type"] == "PURCHASEORDER" and first["Status"] == "DRAFT"
    assert first["Contact"]["ContactID"] == supplier["ContactID"]
    assert first["LineItems"][0]["UnitAmount"] == 1.2345  # 4 dp kept on orders
    assert first["LineItems"][0]["TaxType"] == "INPUT2"
    assert (first["SubTotal"], first["TotalTax"], first["Total"]) == (12.35, 1.85, 14.2)
    assert first["DeliveryDate"] == "/Date(1715299200000+0000)/"
    assert first["DeliveryDateString"] == "2024-05-10T00:00:00"


def test_unit_amounts_keep_four_places_without_unitdp(client, headers, supplier) -> None:
    # /PurchaseOrders has no unitdp parameter in the spec: an order keeps 4 dp as sent.
    lines = [{"Description": "Cable", "Quantity": 3, "UnitAmount": 10.1234, "AccountCode": "300"}]
    made = created(client, headers, order({"ContactID": supplier["ContactID"]}, LineItems=lines))[0]
    line = made["LineItems"][0]
    assert (line["UnitAmount"], line["LineAmount"], made["TotalTax"], made["Total"]) == (10.1234, 30.37, 4.56, 34.93)
    read = client.get(f"{API}/PurchaseOrders/{made['PurchaseOrderID']}", headers=headers).get_json()
    assert read["PurchaseOrders"][0]["LineItems"][0]["UnitAmount"] == 10.1234
def test_generated_numbers_continue_after_the_highest_in_use(client, headers, supplier) -> None:
    contact = {"ContactID": supplier["ContactID"]}
    created(client, headers, order(contact, PurchaseOrderNumber="PO-0007"),
            order(contact, PurchaseOrderNumber="po-0003"))
    made = created(client, headers, order(contact), order(contact))
    assert [p["PurchaseOrderNumber"] for p in made] == ["PO-0008", "PO-0009"]


def test_delivery_instructions_are_capped_at_500(client, headers, supplier) -> None:
    response = put(client, headers, order({"ContactID": supplier["ContactID"]}, DeliveryInstructions="x" * 501,
                                          ExpectedArrivalDate="2024-05-09"))
    assert errors(response) == ["DeliveryInstructions must not be more than 500 characters long."]
    ok = created(client, headers, order({"ContactID": supplier["ContactID"]}, ExpectedArrivalDate="2024-05-09"))[0]
    assert ok["ExpectedArrivalDateString"] == "2024-05-09T00:00:00"


def test_order_number_must_be_unique(client, headers, supplier) -> None:
    created(client, headers, order({"ContactID": supplier["ContactID"]}, PurchaseOrderNumber="PO-77"))
    response = put(client, headers, order({"ContactID": supplier["ContactID"]}, PurchaseOrderNumber="po-77"))
    assert response.status_code == 400 and errors(response) == ["Order number must be unique"]


def test_the_endpoint_never_creates_contacts(client, headers) -> None:
    response = put(client, headers, order({"Name": "Nobody Yet"}))
    assert response.status_code == 400
    assert "existing contact" in errors(response)[0]
    assert client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"] == []


def test_line_items_are_required(client, headers, supplier) -> None:
    response = put(client, headers, order({"ContactID": supplier["ContactID"]}, LineItems=[]))
    assert errors(response) == ["The purchase order must have at least one line item."]


def test_billed_and_deleted_orders_cannot_be_edited(client, headers, supplier) -> None:
    made = created(client, headers, order({"ContactID": supplier["ContactID"]}, Status="AUTHORISED"),
                   order({"ContactID": supplier["ContactID"]}))
    billed = client.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/purchaseorders/{made[0]['PurchaseOrderID']}/status",
                         json={"Status": "BILLED"})
    assert billed.get_json()["PurchaseOrders"][0]["Status"] == "BILLED"
    deleted = client.post(f"{API}/PurchaseOrders/{made[1]['PurchaseOrderID']}", headers=headers,
                          json={"PurchaseOrders": [{"Status": "DELETED"}]})
    assert deleted.get_json()["PurchaseOrders"][0]["Status"] == "DELETED"
    for po in made:
        response = client.post(f"{API}/PurchaseOrders/{po['PurchaseOrderID']}", headers=headers,
                               json={"PurchaseOrders": [{"Reference": "edit"}]})
        assert response.status_code == 400
        assert errors(response) == ["Purchase Order not of valid status for modification"]


def test_a_draft_cannot_jump_to_billed(client, headers, supplier) -> None:
    po = created(client, headers, order({"ContactID": supplier["ContactID"]}))[0]
    response = client.post(f"{API}/PurchaseOrders/{po['PurchaseOrderID']}", headers=headers,
                           json={"PurchaseOrders": [{"Status": "BILLED"}]})
    assert errors(response) == ["Purchase Order not of valid status for modification"]


def test_update_by_number_replaces_lines(client, headers, supplier) -> None:
    po = created(client, headers, order({"ContactID": supplier["ContactID"]}))[0]
    response = client.post(f"{API}/PurchaseOrders/PO-0001", headers=headers, json={"PurchaseOrders": [{
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "Nuts", "Quantity": 1, "UnitAmount": 5, "AccountCode": "300"}]}]})
    assert response.status_code == 200
    updated = response.get_json()["PurchaseOrders"][0]
    assert updated["PurchaseOrderID"] == po["PurchaseOrderID"] and updated["Status"] == "AUTHORISED"
    assert [line["Description"] for line in updated["LineItems"]] == ["Nuts"] and updated["Total"] == 5.75


def test_sent_to_contact_on_a_draft_is_a_warning(client, headers, supplier) -> None:
    response = put(client, headers, order({"ContactID": supplier["ContactID"]}, SentToContact=True))
    assert response.status_code == 200
    po = response.get_json()["PurchaseOrders"][0]
    assert po["StatusAttributeString"] == "WARNING" and po["SentToContact"] is False
    assert po["Warnings"] == [{"Message": "Only AUTHORISED and BILLED purchase orders may have "
                                          "SentToContact updated."}]


def test_list_filters_get_by_number_and_paging(client, headers, supplier) -> None:
    contact = {"ContactID": supplier["ContactID"]}
    created(client, headers, order(contact, Date="2024-01-15"), order(contact, Date="2024-02-15", Status="AUTHORISED"),
            order(contact, Date="2024-03-15"))
    authorised = client.get(f"{API}/PurchaseOrders?Status=AUTHORISED", headers=headers).get_json()
    assert [p["PurchaseOrderNumber"] for p in authorised["PurchaseOrders"]] == ["PO-0002"]
    lower = client.get(f"{API}/PurchaseOrders?status=AUTHORISED", headers=headers).get_json()  # names ignore case
    assert [p["PurchaseOrderNumber"] for p in lower["PurchaseOrders"]] == ["PO-0002"]
    window = client.get(f"{API}/PurchaseOrders?DateFrom=2024-02-01&DateTo=2024-03-15", headers=headers).get_json()
    assert [p["PurchaseOrderNumber"] for p in window["PurchaseOrders"]] == ["PO-0002", "PO-0003"]
    by_number = client.get(f"{API}/PurchaseOrders/PO-0003", headers=headers).get_json()["PurchaseOrders"]
    assert by_number[0]["DateString"] == "2024-03-15T00:00:00"
    ordered = client.get(f"{API}/PurchaseOrders?order=Date%20DESC&page=1&pageSize=2", headers=headers).get_json()
    assert [p["PurchaseOrderNumber"] for p in ordered["PurchaseOrders"]] == ["PO-0003", "PO-0002"]
    assert ordered["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert client.get(f"{API}/PurchaseOrders/PO-0404", headers=headers).status_code == 404
    # the endpoint has no `where` (not in the spec): it is ignored, not an error
    ignored = client.get(f"{API}/PurchaseOrders", headers=headers, query_string={"where": 'Status=="BILLED"'})
    assert len(ignored.get_json()["PurchaseOrders"]) == 3


def test_summarize_errors_false_keeps_the_good_orders(client, headers, supplier) -> None:
    response = put(client, headers, order({"ContactID": supplier["ContactID"]}), order({"Name": "Unknown"}),
                   query="?summarizeErrors=false")
    assert [p["StatusAttributeString"] for p in response.get_json()["PurchaseOrders"]] == ["OK", "ERROR"]
    stored = client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/purchaseorders").get_json()["PurchaseOrders"]
    assert len(stored) == 1
