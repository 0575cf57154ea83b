"""POST on a collection is update-or-create, PUT is create-only, as at Xero: a POST whose
InvoiceNumber / PurchaseOrderNumber / Item Code is already held updates THAT object (the
harm a sender must avoid); PUT refuses the duplicate with Xero's message."""
from __future__ import annotations

import pytest

from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"
NOT_MODIFIABLE = "Invoice not of valid status for modification"


def contact(client, headers, name: str) -> str:
    made = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": name}]})
    return made.get_json()["Contacts"][0]["ContactID"]


def invoice(contact_id: str, number: str, description: str = "Theirs", **fields) -> dict:
    return {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "InvoiceNumber": number,
            "Date": "2024-03-11", "LineItems": [{"Description": description, "Quantity": 1,
                                                 "UnitAmount": 10, "AccountCode": "200"}], **fields}


def write(client, headers, method: str, plural: str, *elements: dict, batch: bool = False):
    query = "?summarizeErrors=false" if batch else ""
    return client.open(f"{API}/{plural}{query}", method=method, headers=headers,
                       json={plural: list(elements)})


def held(client, kind: str) -> list[dict]:
    plural = {"invoices": "Invoices", "purchaseorders": "PurchaseOrders", "items": "Items"}[kind]
    return client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/{kind}").get_json()[plural]


def errors(response) -> list[str]:
    return [e["Message"] for el in response.get_json()["Elements"] for e in el["ValidationErrors"]]


def set_status(client, kind: str, object_id: str, status: str) -> None:
    answer = client.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/{kind}/{object_id}/status",
                         json={"Status": status})
    assert answer.status_code == 200, answer.get_json()


# -- invoices -----------------------------------------------------------------------------------
@pytest.fixture
def theirs(client, headers) -> dict:
    """INV-0001, someone else's draft invoice already in the organisation."""
    other = contact(client, headers, "Someone Else")
    answer = write(client, headers, "PUT", "Invoices", invoice(other, "INV-0001"))
    assert answer.status_code == 200
    return answer.get_json()["Invoices"][0]


def test_post_with_a_held_invoice_number_updates_that_invoice(client, headers, theirs):
    ours = contact(client, headers, "Our Customer")

    answer = write(client, headers, "POST", "Invoices", invoice(ours, "inv-0001", "Ours"))

    assert answer.status_code == 200
    (updated,) = answer.get_json()["Invoices"]
    assert updated["InvoiceID"] == theirs["InvoiceID"]
    (stored,) = held(client, "invoices")  # no second invoice: theirs was rewritten
    assert stored["InvoiceID"] == theirs["InvoiceID"]
    assert stored["Contact"]["ContactID"] == ours
    assert [line["Description"] for line in stored["LineItems"]] == ["Ours"]


def test_put_with_a_held_invoice_number_is_refused_and_changes_nothing(client, headers, theirs):
    ours = contact(client, headers, "Our Customer")
    before = held(client, "invoices")

    answer = write(client, headers, "PUT", "Invoices", invoice(ours, "INV-0001", "Ours"))

    assert answer.status_code == 400 and errors(answer) == ["Invoice # must be unique."]
    assert held(client, "invoices") == before


@pytest.mark.parametrize("status", ["PAID", "VOIDED", "DELETED"])
def test_post_onto_an_invoice_that_cannot_be_edited_is_refused(client, headers, theirs, status):
    if status == "VOIDED":
        set_status(client, "invoices", theirs["InvoiceID"], "AUTHORISED")
    set_status(client, "invoices", theirs["InvoiceID"], status)
    before = held(client, "invoices")
    ours = contact(client, headers, "Our Customer")

    answer = write(client, headers, "POST", "Invoices", invoice(ours, "INV-0001", "Ours"))

    assert answer.status_code == 400 and errors(answer) == [NOT_MODIFIABLE]
    assert held(client, "invoices") == before


def test_batch_post_updates_creates_and_refuses_element_by_element(client, headers, theirs):
    paid = write(client, headers, "PUT", "Invoices",
                 invoice(theirs["Contact"]["ContactID"], "INV-0002")).get_json()["Invoices"][0]
    set_status(client, "invoices", paid["InvoiceID"], "AUTHORISED")
    set_status(client, "invoices", paid["InvoiceID"], "PAID")
    ours = contact(client, headers, "Our Customer")

    answer = write(client, headers, "POST", "Invoices", invoice(ours, "INV-0001", "Ours"),
                   invoice(ours, "INV-0002", "Ours"), invoice(ours, "INV-0003", "Ours"), batch=True)

    assert answer.status_code == 200
    results = answer.get_json()["Invoices"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "OK"]
    assert results[0]["InvoiceID"] == theirs["InvoiceID"]
    assert results[1]["ValidationErrors"] == [{"Message": NOT_MODIFIABLE}]
    stored = {i["InvoiceNumber"]: i for i in held(client, "invoices")}
    assert sorted(stored) == ["INV-0001", "INV-0002", "INV-0003"]
    assert stored["INV-0001"]["Contact"]["ContactID"] == ours
    assert stored["INV-0002"]["Status"] == "PAID"
    assert stored["INV-0002"]["LineItems"][0]["Description"] == "Theirs"


def test_batch_put_refuses_each_held_number_and_keeps_the_others(client, headers, theirs):
    ours = contact(client, headers, "Our Customer")

    answer = write(client, headers, "PUT", "Invoices", invoice(ours, "INV-0001", "Ours"),
                   invoice(ours, "INV-0002", "Ours"), batch=True)

    results = answer.get_json()["Invoices"]
    assert [r["StatusAttributeString"] for r in results] == ["ERROR", "OK"]
    assert results[0]["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]
    stored = {i["InvoiceNumber"]: i for i in held(client, "invoices")}
    assert stored["INV-0001"]["Contact"]["ContactID"] == theirs["Contact"]["ContactID"]
    assert stored["INV-0002"]["Contact"]["ContactID"] == ours


def test_a_bill_with_a_sales_invoices_number_is_a_new_bill(client, headers, theirs):
    supplier = contact(client, headers, "Supplier")

    answer = write(client, headers, "POST", "Invoices", invoice(supplier, "INV-0001", Type="ACCPAY"))

    (bill,) = answer.get_json()["Invoices"]
    assert bill["InvoiceID"] != theirs["InvoiceID"] and bill["Type"] == "ACCPAY"
    assert len(held(client, "invoices")) == 2


# -- purchase orders ----------------------------------------------------------------------------
def order(contact_id: str, number: str, description: str = "Theirs") -> dict:
    return {"Contact": {"ContactID": contact_id}, "PurchaseOrderNumber": number, "Date": "2024-05-01",
            "LineItems": [{"Description": description, "Quantity": 1, "UnitAmount": 2,
                           "AccountCode": "300"}]}


@pytest.fixture
def their_order(client, headers) -> dict:
    other = contact(client, headers, "Other Supplier")
    answer = write(client, headers, "PUT", "PurchaseOrders", order(other, "PO-0001"))
    assert answer.status_code == 200
    return answer.get_json()["PurchaseOrders"][0]


def test_post_with_a_held_order_number_updates_that_order(client, headers, their_order):
    ours = contact(client, headers, "Our Supplier")

    answer = write(client, headers, "POST", "PurchaseOrders", order(ours, "po-0001", "Ours"))

    (updated,) = answer.get_json()["PurchaseOrders"]
    assert updated["PurchaseOrderID"] == their_order["PurchaseOrderID"]
    (stored,) = held(client, "purchaseorders")
    assert stored["Contact"]["ContactID"] == ours
    assert [line["Description"] for line in stored["LineItems"]] == ["Ours"]


def test_put_with_a_held_order_number_is_refused(client, headers, their_order):
    ours = contact(client, headers, "Our Supplier")
    before = held(client, "purchaseorders")

    answer = write(client, headers, "PUT", "PurchaseOrders", order(ours, "PO-0001", "Ours"),
                   order(ours, "PO-0002", "Ours"), batch=True)

    results = answer.get_json()["PurchaseOrders"]
    assert [r["StatusAttributeString"] for r in results] == ["ERROR", "OK"]
    assert results[0]["ValidationErrors"] == [{"Message": "Order number must be unique"}]
    assert [o for o in held(client, "purchaseorders") if o["PurchaseOrderNumber"] == "PO-0001"] == before


def test_post_onto_a_billed_order_is_refused(client, headers, their_order):
    set_status(client, "purchaseorders", their_order["PurchaseOrderID"], "AUTHORISED")
    set_status(client, "purchaseorders", their_order["PurchaseOrderID"], "BILLED")
    before = held(client, "purchaseorders")
    ours = contact(client, headers, "Our Supplier")

    answer = write(client, headers, "POST", "PurchaseOrders", order(ours, "PO-0001", "Ours"),
                   batch=True)

    (result,) = answer.get_json()["PurchaseOrders"]
    assert result["StatusAttributeString"] == "ERROR"
    assert result["ValidationErrors"] == [{"Message": "Purchase Order not of valid status for modification"}]
    assert held(client, "purchaseorders") == before


# -- items --------------------------------------------------------------------------------------
@pytest.fixture
def their_item(client, headers) -> dict:
    answer = write(client, headers, "PUT", "Items", {"Code": "CUP-8OZ", "Name": "Their cup",
                                                    "SalesDetails": {"UnitPrice": 4}})
    assert answer.status_code == 200
    return answer.get_json()["Items"][0]


def test_post_with_a_held_code_updates_that_item(client, headers, their_item):
    answer = write(client, headers, "POST", "Items", {"Code": "cup-8oz", "Name": "Our cup",
                                                     "SalesDetails": {"UnitPrice": 5}})

    (updated,) = answer.get_json()["Items"]
    assert updated["ItemID"] == their_item["ItemID"]
    (stored,) = held(client, "items")
    assert (stored["Name"], stored["SalesDetails"]["UnitPrice"]) == ("Our cup", 5.0)


def test_put_with_a_held_code_is_refused_element_by_element(client, headers, their_item):
    before = held(client, "items")
    answer = write(client, headers, "PUT", "Items", {"Code": "CUP-8OZ", "Name": "Our cup"},
                   {"Code": "LID-8OZ", "Name": "Our lid"}, batch=True)

    results = answer.get_json()["Items"]
    assert [r["StatusAttributeString"] for r in results] == ["ERROR", "OK"]
    assert results[0]["ValidationErrors"] == [
        {"Message": "Price List Item with Code ''CUP-8OZ'' already exists"}]
    stored = {i["Code"]: i for i in held(client, "items")}
    assert sorted(stored) == ["CUP-8OZ", "LID-8OZ"] and stored["CUP-8OZ"] == before[0]


def test_post_renaming_an_item_to_a_held_code_is_still_refused(client, headers, their_item):
    mine = write(client, headers, "PUT", "Items", {"Code": "MINE"}).get_json()["Items"][0]

    answer = write(client, headers, "POST", "Items", {"ItemID": mine["ItemID"], "Code": "CUP-8OZ"})

    assert answer.status_code == 400
    assert errors(answer) == ["Price List Item with Code ''CUP-8OZ'' already exists"]
