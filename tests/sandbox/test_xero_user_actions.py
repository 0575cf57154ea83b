"""A Xero user's actions (/_sandbox/objects/<tenant>/<kind>/<id>/<action>) and payments
through the API: statuses, amounts, Payments[], Xero's refusals, UpdatedDateUTC."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import control
from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"
OBJECTS = f"/_sandbox/objects/{DEMO_TENANT_ID}"
NOT_AUTHORISED = "Payments can only be made against Authorised documents"
EXCEEDS = "Payment amount exceeds the amount outstanding on this document"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
NOT_MODIFIABLE = "Invoice not of valid status for modification"


@pytest.fixture
def contact_id(client, headers) -> str:
    made = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Customer"}]})
    return made.get_json()["Contacts"][0]["ContactID"]


@pytest.fixture
def invoice_id(client, headers, contact_id) -> str:
    """A DRAFT sales invoice of 115.00 (100 + 15% GST)."""
    made = client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": "2026-11-02",
        "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}]}]})
    assert made.status_code == 200, made.get_json()
    return made.get_json()["Invoices"][0]["InvoiceID"]


def act(client, kind: str, object_id: str, action: str, body: dict | None = None):
    return client.post(f"{OBJECTS}/{kind}/{object_id}/{action}", json=body or {})


def messages(response) -> list[str]:
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["Type"] == "ValidationException"
    return [e["Message"] for el in body["Elements"] for e in el["ValidationErrors"]]


def invoice(client, headers, invoice_id: str) -> dict:
    return client.get(f"{API}/Invoices/{invoice_id}", headers=headers).get_json()["Invoices"][0]


# -- invoice statuses -------------------------------------------------------------------------
def test_submit_then_approve(client, headers, invoice_id) -> None:
    assert act(client, "invoices", invoice_id, "submit").get_json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert act(client, "invoices", invoice_id, "approve").get_json()["Invoices"][0]["Status"] == "AUTHORISED"
    assert invoice(client, headers, invoice_id)["Status"] == "AUTHORISED"


def test_each_action_stamps_updated_date(client, headers, invoice_id) -> None:
    before = invoice(client, headers, invoice_id)["UpdatedDateUTC"]
    control(client, "clock", {"advance": 60})
    after = act(client, "invoices", invoice_id, "approve").get_json()["Invoices"][0]["UpdatedDateUTC"]
    assert int(after[6:19]) - int(before[6:19]) >= 60_000
    assert invoice(client, headers, invoice_id)["UpdatedDateUTC"] == after


@pytest.mark.parametrize("setup, action", [
    ((), "void"),                     # a draft is deleted, not voided
    (("approve",), "delete"),         # an approved invoice is voided, not deleted
    (("approve",), "submit"),
    (("approve", "void"), "approve"),
])
def test_impossible_transitions_are_refused(client, headers, invoice_id, setup, action) -> None:
    for step in setup:
        assert act(client, "invoices", invoice_id, step).status_code == 200
    status = invoice(client, headers, invoice_id)["Status"]
    assert messages(act(client, "invoices", invoice_id, action)) == [NOT_MODIFIABLE]
    assert invoice(client, headers, invoice_id)["Status"] == status


def test_delete_a_draft_and_void_an_approved_invoice(client, headers, invoice_id, contact_id) -> None:
    assert act(client, "invoices", invoice_id, "delete").get_json()["Invoices"][0]["Status"] == "DELETED"
    other = client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Status": "AUTHORISED",
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}]})
    other_id = other.get_json()["Invoices"][0]["InvoiceID"]
    voided = act(client, "invoices", other_id, "void").get_json()["Invoices"][0]
    assert (voided["Status"], voided["AmountDue"]) == ("VOIDED", 0.0)


# -- payments ---------------------------------------------------------------------------------
def test_paying_a_draft_is_refused(client, headers, invoice_id) -> None:
    assert messages(act(client, "invoices", invoice_id, "pay", {"Amount": 10})) == [NOT_AUTHORISED]
    assert invoice(client, headers, invoice_id)["AmountPaid"] == 0.0


def test_part_then_full_payment(client, headers, invoice_id) -> None:
    act(client, "invoices", invoice_id, "approve")
    part = act(client, "invoices", invoice_id, "pay",
               {"Amount": 15, "Date": "2026-11-20", "Reference": "Deposit"}).get_json()
    payment = part["Payments"][0]
    assert (payment["Amount"], payment["Reference"], payment["Status"]) == (15.0, "Deposit", "AUTHORISED")
    assert payment["Account"]["Code"] == "090"  # the organisation's bank account by default
    shown = invoice(client, headers, invoice_id)
    assert (shown["Status"], shown["AmountPaid"], shown["AmountDue"]) == ("AUTHORISED", 15.0, 100.0)
    assert [p["PaymentID"] for p in shown["Payments"]] == [payment["PaymentID"]]
    assert "FullyPaidOnDate" not in shown

    rest = act(client, "invoices", invoice_id, "pay", {"Date": "2026-11-28"}).get_json()
    assert rest["Payments"][0]["Amount"] == 100.0  # what was due
    shown = invoice(client, headers, invoice_id)
    assert (shown["Status"], shown["AmountPaid"], shown["AmountDue"]) == ("PAID", 115.0, 0.0)
    assert shown["FullyPaidOnDate"] == rest["Payments"][0]["Date"] == "/Date(1795824000000+0000)/"
    assert [p["Amount"] for p in shown["Payments"]] == [15.0, 100.0]


def test_overpaying_is_refused(client, headers, invoice_id) -> None:
    act(client, "invoices", invoice_id, "approve")
    assert messages(act(client, "invoices", invoice_id, "pay", {"Amount": 115.01})) == [EXCEEDS]
    act(client, "invoices", invoice_id, "pay")
    assert messages(act(client, "invoices", invoice_id, "pay", {"Amount": 1})) == [EXCEEDS]


def test_lists_show_payments_unless_summary_only(client, headers, invoice_id) -> None:
    act(client, "invoices", invoice_id, "approve")
    act(client, "invoices", invoice_id, "pay", {"Amount": 15})
    listed = client.get(f"{API}/Invoices?IDs={invoice_id}", headers=headers).get_json()["Invoices"][0]
    assert (listed["AmountPaid"], listed["AmountDue"], len(listed["Payments"])) == (15.0, 100.0, 1)
    assert "LineItems" not in listed
    paged = client.get(f"{API}/Invoices?page=1&IDs={invoice_id}", headers=headers).get_json()["Invoices"][0]
    assert len(paged["Payments"]) == 1 and paged["LineItems"]
    summary = client.get(f"{API}/Invoices?summaryOnly=true&IDs={invoice_id}", headers=headers)
    assert "Payments" not in summary.get_json()["Invoices"][0]


def test_an_invoice_with_payments_refuses_api_updates(client, headers, invoice_id) -> None:
    act(client, "invoices", invoice_id, "approve")
    act(client, "invoices", invoice_id, "pay", {"Amount": 15})
    refused = client.post(f"{API}/Invoices/{invoice_id}", headers=headers, json={"Reference": "new"})
    assert messages(refused) == [HAS_PAYMENTS]
    voiding = client.post(f"{API}/Invoices/{invoice_id}", headers=headers, json={"Status": "VOIDED"})
    assert messages(voiding) == [HAS_PAYMENTS]
    assert messages(act(client, "invoices", invoice_id, "void")) == [HAS_PAYMENTS]
    act(client, "invoices", invoice_id, "pay")
    paid = client.post(f"{API}/Invoices/{invoice_id}", headers=headers, json={"Reference": "new"})
    assert messages(paid) == [NOT_MODIFIABLE, HAS_PAYMENTS]
    assert invoice(client, headers, invoice_id).get("Reference") is None


def test_removing_a_payment_reopens_the_invoice(client, headers, invoice_id) -> None:
    act(client, "invoices", invoice_id, "approve")
    payment_id = act(client, "invoices", invoice_id, "pay").get_json()["Payments"][0]["PaymentID"]
    removed = act(client, "invoices", invoice_id, "remove_payment", {"PaymentID": payment_id}).get_json()
    assert removed["Payments"][0]["Status"] == "DELETED"
    shown = invoice(client, headers, invoice_id)
    assert (shown["Status"], shown["AmountPaid"], shown["AmountDue"], shown["Payments"]) == \
        ("AUTHORISED", 0.0, 115.0, [])
    assert "FullyPaidOnDate" not in shown
    assert act(client, "invoices", invoice_id, "void").get_json()["Invoices"][0]["Status"] == "VOIDED"


def test_payments_through_the_api(client, headers, invoice_id) -> None:
    """PUT /Payments as the xero-python SDK sends it; GET /Payments; delete by POST."""
    body = {"Payments": [{"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"},
                          "Date": "2026-11-20", "Amount": 50}]}
    assert messages(client.put(f"{API}/Payments", headers=headers, json=body)) == [NOT_AUTHORISED]
    act(client, "invoices", invoice_id, "approve")
    made = client.put(f"{API}/Payments", headers=headers, json=body)
    assert made.status_code == 200, made.get_json()
    payment = made.get_json()["Payments"][0]
    assert (payment["Amount"], payment["PaymentType"], payment["Invoice"]["InvoiceID"]) == \
        (50.0, "ACCRECPAYMENT", invoice_id)
    assert payment["Invoice"]["AmountDue"] == 65.0
    listed = client.get(f"{API}/Payments", headers=headers).get_json()["Payments"]
    assert [p["PaymentID"] for p in listed] == [payment["PaymentID"]]
    wrong_account = {"Payments": [{**body["Payments"][0], "Account": {"Code": "200"}}]}
    assert len(messages(client.put(f"{API}/Payments", headers=headers, json=wrong_account))) == 1
    deleted = client.post(f"{API}/Payments/{payment['PaymentID']}", headers=headers,
                          json={"Payments": [{"Status": "DELETED"}]})
    assert deleted.status_code == 200, deleted.get_json()
    assert invoice(client, headers, invoice_id)["AmountDue"] == 115.0


# -- purchase orders --------------------------------------------------------------------------
def test_purchase_order_actions(client, headers, contact_id) -> None:
    made = client.put(f"{API}/PurchaseOrders", headers=headers, json={"PurchaseOrders": [{
        "Contact": {"ContactID": contact_id},
        "LineItems": [{"Description": "Stock", "Quantity": 1, "UnitAmount": 10, "AccountCode": "300"}]}]})
    order_id = made.get_json()["PurchaseOrders"][0]["PurchaseOrderID"]
    refused = act(client, "purchaseorders", order_id, "bill")
    assert messages(refused) == ["Purchase Order not of valid status for modification"]
    for action, status in (("submit", "SUBMITTED"), ("authorise", "AUTHORISED"), ("bill", "BILLED")):
        answer = act(client, "purchaseorders", order_id, action)
        assert answer.get_json()["PurchaseOrders"][0]["Status"] == status
    shown = client.get(f"{API}/PurchaseOrders/{order_id}", headers=headers).get_json()["PurchaseOrders"][0]
    assert shown["Status"] == "BILLED"
    assert messages(act(client, "purchaseorders", order_id, "delete"))


# -- contacts ---------------------------------------------------------------------------------
def test_archive_hides_a_contact_from_lists(client, headers, contact_id) -> None:
    archived = act(client, "contacts", contact_id, "archive").get_json()["Contacts"][0]
    assert archived["ContactStatus"] == "ARCHIVED"
    listed = client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"]
    assert contact_id not in [c["ContactID"] for c in listed]
    everyone = client.get(f"{API}/Contacts?includeArchived=true", headers=headers).get_json()["Contacts"]
    assert contact_id in [c["ContactID"] for c in everyone]


def test_merge_archives_and_moves_transactions(client, headers, contact_id, invoice_id) -> None:
    keeper = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Keeper"}]})
    keeper_id = keeper.get_json()["Contacts"][0]["ContactID"]
    assert messages(act(client, "contacts", contact_id, "merge", {"into": contact_id}))
    merged = act(client, "contacts", contact_id, "merge", {"into": keeper_id}).get_json()["Contacts"][0]
    assert (merged["ContactStatus"], merged["MergedToContactID"]) == ("ARCHIVED", keeper_id)
    fetched = client.get(f"{API}/Contacts/{contact_id}", headers=headers).get_json()["Contacts"][0]
    assert fetched["MergedToContactID"] == keeper_id
    listed = client.get(f"{API}/Contacts?includeArchived=true&IDs={contact_id}", headers=headers)
    assert "MergedToContactID" not in listed.get_json()["Contacts"][0]  # only paged or by id
    paged = client.get(f"{API}/Contacts?includeArchived=true&page=1&IDs={contact_id}", headers=headers)
    assert paged.get_json()["Contacts"][0]["MergedToContactID"] == keeper_id
    assert invoice(client, headers, invoice_id)["Contact"]["ContactID"] == keeper_id


def test_unknown_action_or_object(client, invoice_id) -> None:
    assert act(client, "invoices", invoice_id, "teleport").status_code == 404
    assert act(client, "items", invoice_id, "archive").status_code == 404
    assert act(client, "invoices", "0b6c1d2e-0000-4000-8000-000000000000", "approve").status_code == 404
