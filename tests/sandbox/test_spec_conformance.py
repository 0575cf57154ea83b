"""Conformance sweep: one request per operation the sandbox serves (list, get, create,
update, errors), each answered as the official spec says.

The checking ``client`` validates every response; the table below only has to reach each
operation and state the status Xero would answer. ``test_every_served_operation_is_swept``
fails when the sandbox starts serving an accounting route that has no row here, so a new
operation cannot drift from the spec unnoticed.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, control, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # below /api.xro/2.0; {contact}, {invoice} ... are filled from the seeded world
    status: int
    body: Any = None
    query: str = ""

    @property
    def template(self) -> str:
        """The sandbox route this case reaches, as ``METHOD /Resource/<>``."""
        return f"{self.method} {PLACEHOLDER.sub('<>', self.path)}"


def contact(name: str) -> dict[str, Any]:
    return {"Name": name, "EmailAddress": "accounts@example.com"}


def line(description: str = "Widget", amount: float = 10.0, account: str = "200") -> dict[str, Any]:
    return {"Description": description, "Quantity": 2, "UnitAmount": amount, "AccountCode": account}


CASES = [
    # Organisation, Accounts, TaxRates, Currencies: read-only reference data
    Case("organisation", "GET", "/Organisation", 200),
    Case("accounts list", "GET", "/Accounts", 200),
    Case("accounts where", "GET", "/Accounts", 200, query='where=Type=="REVENUE"'),
    Case("account get", "GET", "/Accounts/{account}", 200),
    Case("account unknown", "GET", "/Accounts/{missing}", 404),
    Case("tax rates list", "GET", "/TaxRates", 200),
    Case("tax rate by type", "GET", "/TaxRates/{tax_type}", 200),
    Case("currencies list", "GET", "/Currencies", 200),
    Case("currencies where", "GET", "/Currencies", 200, query='where=Code=="NZD"'),
    # Contacts
    Case("contacts list", "GET", "/Contacts", 200),
    Case("contacts page", "GET", "/Contacts", 200, query="page=1&pageSize=2"),
    Case("contacts where", "GET", "/Contacts", 200, query='where=Name=="Sweep Contact"'),
    Case("contact get", "GET", "/Contacts/{contact}", 200),
    Case("contact unknown", "GET", "/Contacts/{missing}", 404),
    Case("contacts create", "PUT", "/Contacts", 200, {"Contacts": [contact("Sweep New")]}),
    Case("contacts upsert", "POST", "/Contacts", 200, {"Contacts": [contact("Sweep Upsert")]}),
    Case("contact update", "POST", "/Contacts/{contact}", 200,
         {"Contacts": [{"EmailAddress": "new@example.com"}]}),
    Case("contacts duplicate", "PUT", "/Contacts", 400, {"Contacts": [contact("Sweep Contact")]}),
    Case("contacts per element", "PUT", "/Contacts", 200,
         {"Contacts": [contact("Sweep Fine"), contact("Sweep Contact")]}, "summarizeErrors=false"),
    # Items
    Case("items list", "GET", "/Items", 200),
    Case("items where", "GET", "/Items", 200, query='where=Code=="SWEEP-1" OR Code=="NONE"'),
    Case("item get", "GET", "/Items/{item}", 200),
    Case("item unknown", "GET", "/Items/{missing}", 404),
    Case("items create", "PUT", "/Items", 200, {"Items": [{"Code": "SWEEP-2", "Name": "Second"}]}),
    Case("items upsert", "POST", "/Items", 200, {"Items": [{"Code": "SWEEP-3", "Name": "Third"}]}),
    Case("item update", "POST", "/Items/{item}", 200, {"Items": [{"Code": "SWEEP-1", "Name": "Renamed"}]}),
    Case("items duplicate", "PUT", "/Items", 400, {"Items": [{"Code": "SWEEP-1"}]}),
    Case("item delete", "DELETE", "/Items/{item}", 204),
    # Invoices
    Case("invoices list", "GET", "/Invoices", 200),
    Case("invoices page", "GET", "/Invoices", 200, query='page=1&where=Status=="DRAFT"'),
    Case("invoice get", "GET", "/Invoices/{invoice}", 200),
    Case("invoice unknown", "GET", "/Invoices/{missing}", 404),
    Case("invoices create", "PUT", "/Invoices", 200, {"Invoices": [
        {"Type": "ACCREC", "Contact": {"ContactID": "{contact}"}, "Date": "2026-03-02",
         "DueDate": "2026-04-01", "LineItems": [line()]}]}),
    Case("invoices upsert", "POST", "/Invoices", 200, {"Invoices": [
        {"Type": "ACCREC", "Contact": {"ContactID": "{contact}"}, "LineItems": [line("Other")]}]}),
    Case("invoice update", "POST", "/Invoices/{invoice}", 200, {"Invoices": [{"Reference": "Updated"}]}),
    Case("invoices without contact", "PUT", "/Invoices", 400, {"Invoices": [
        {"Type": "ACCREC", "LineItems": [line()]}]}),
    # Purchase orders
    Case("purchase orders list", "GET", "/PurchaseOrders", 200),
    Case("purchase orders page", "GET", "/PurchaseOrders", 200, query="page=1&status=DRAFT"),
    Case("purchase order get", "GET", "/PurchaseOrders/{purchase_order}", 200),
    Case("purchase order by number", "GET", "/PurchaseOrders/{purchase_order_number}", 200),
    Case("purchase order unknown", "GET", "/PurchaseOrders/{missing}", 404),
    Case("purchase orders create", "PUT", "/PurchaseOrders", 200, {"PurchaseOrders": [
        {"Contact": {"ContactID": "{contact}"}, "Date": "2026-03-02", "DeliveryDate": "2026-03-09",
         "LineItems": [line("Flour", 31.0, "300")]}]}),
    Case("purchase orders upsert", "POST", "/PurchaseOrders", 200, {"PurchaseOrders": [
        {"Contact": {"ContactID": "{contact}"}, "LineItems": [line("Sugar", 12.0, "300")]}]}),
    Case("purchase order update", "POST", "/PurchaseOrders/{purchase_order}", 200,
         {"PurchaseOrders": [{"Reference": "Updated"}]}),
    Case("purchase orders duplicate number", "PUT", "/PurchaseOrders", 400, {"PurchaseOrders": [
        {"PurchaseOrderNumber": "{purchase_order_number}", "Contact": {"ContactID": "{contact}"},
         "LineItems": [line("Flour", 31.0, "300")]}]}),
    # Payments
    Case("payments list", "GET", "/Payments", 200),
    Case("payments page", "GET", "/Payments", 200, query='page=1&where=Status=="AUTHORISED"'),
    Case("payment get", "GET", "/Payments/{payment}", 200),
    Case("payment unknown", "GET", "/Payments/{missing}", 404),
    Case("payments create", "PUT", "/Payments", 200, {"Payments": [
        {"Invoice": {"InvoiceID": "{approved_invoice}"}, "Account": {"Code": "090"},
         "Date": "2026-03-02", "Amount": 1}]}),
    Case("payment create", "POST", "/Payments", 200,
         {"Invoice": {"InvoiceID": "{approved_invoice}"}, "Account": {"Code": "090"}, "Amount": 2}),
    Case("payments on a draft", "PUT", "/Payments", 400, {"Payments": [
        {"Invoice": {"InvoiceID": "{invoice}"}, "Account": {"Code": "090"}, "Amount": 1}]}),
    Case("payment delete", "POST", "/Payments/{payment}", 200, {"Payments": [{"Status": "DELETED"}]}),
]


@pytest.fixture
def world(client) -> dict[str, str]:
    """A token for the Demo Company and one of each object, made through the API itself."""
    token = minted_token(client)
    headers = auth_headers(token)

    def put(resource: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = client.put(f"{API}/{resource}", json=body, headers=headers)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return reply.get_json()[resource][0]

    made_contact = put("Contacts", {"Contacts": [contact("Sweep Contact")]})
    item = put("Items", {"Items": [{"Code": "SWEEP-1", "Name": "First", "SalesDetails": {"UnitPrice": 5}}]})
    invoice = put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": made_contact["ContactID"]},
                                             "LineItems": [line()]}]})
    approved = put("Invoices", {"Invoices": [{"Type": "ACCREC", "Status": "AUTHORISED", "LineItems": [line()],
                                              "Contact": {"ContactID": made_contact["ContactID"]}}]})
    payment = put("Payments", {"Payments": [{"Invoice": {"InvoiceID": approved["InvoiceID"]},
                                             "Account": {"Code": "090"}, "Amount": 3}]})
    order = put("PurchaseOrders", {"PurchaseOrders": [{"Contact": {"ContactID": made_contact["ContactID"]},
                                                       "LineItems": [line("Flour", 31.0, "300")]}]})
    account = client.get(f"{API}/Accounts", headers=headers).get_json()["Accounts"][0]
    tax = client.get(f"{API}/TaxRates", headers=headers).get_json()["TaxRates"][0]
    return {"headers": headers, "contact": made_contact["ContactID"], "item": item["ItemID"],
            "invoice": invoice["InvoiceID"], "approved_invoice": approved["InvoiceID"],
            "payment": payment["PaymentID"], "purchase_order": order["PurchaseOrderID"],
            "purchase_order_number": order["PurchaseOrderNumber"], "account": account["AccountID"],
            "tax_type": tax["TaxType"], "missing": str(uuid.uuid4())}


def fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: str(world[m.group(1)]), value)
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_operation_answers_as_the_spec_says(client, world, case: Case):
    url = API + fill(case.path, world) + (f"?{case.query}" if case.query else "")
    reply = client.open(url, method=case.method, headers=world["headers"],
                        json=fill(case.body, world) if case.body is not None else None)
    assert reply.status_code == case.status, reply.get_data(as_text=True)[:500]


def served_routes(app) -> set[str]:
    """The sandbox's accounting routes as ``METHOD /Resource/<>``."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<[^>]+>", "<>", rule.rule[len(API):])
            routes |= {f"{m} {path}" for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_served_operation_is_swept(sandbox_app):
    swept = {case.template for case in CASES}
    missing = sorted(served_routes(sandbox_app) - swept)
    assert not missing, f"operations without a conformance row: {missing}"


# -- the pipeline's own answers, ahead of any resource ---------------------------------------

def test_no_token_is_401(client):
    assert client.get(f"{API}/Organisation", headers={"xero-tenant-id": DEMO_TENANT_ID}).status_code == 401


def test_no_tenant_header_is_403(client):
    reply = client.get(f"{API}/Organisation", headers=auth_headers(minted_token(client), tenant_id=None))
    assert reply.status_code == 403


def test_an_expired_token_is_401_token_expired(client):
    headers = auth_headers(minted_token(client))
    control(client, "clock", {"advance": 1801})
    reply = client.get(f"{API}/Organisation", headers=headers)
    assert reply.status_code == 401 and reply.get_json()["Detail"].startswith("TokenExpired")


def test_connections_list_conforms(client):
    token = minted_token(client)
    reply = client.get("/connections", headers=auth_headers(token, tenant_id=None))
    assert reply.status_code == 200
    assert [c["tenantId"] for c in reply.get_json()] == [DEMO_TENANT_ID]
    assert reply.get_json() == token["connections"]


def test_disconnecting_answers_204_then_404(client):
    token = minted_token(client)
    headers = auth_headers(token, tenant_id=None)
    connection_id = token["connections"][0]["id"]
    assert client.delete(f"/connections/{connection_id}", headers=headers).status_code == 204
    assert client.delete(f"/connections/{connection_id}", headers=headers).status_code == 404
    assert client.get("/connections", headers=headers).get_json() == []


def test_refreshing_answers_xeros_token_response(client):
    token = minted_token(client)
    reply = client.post("/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"],
        "client_id": "sandbox-app", "client_secret": "sandbox-secret"})
    assert reply.status_code == 200
    assert reply.get_json()["refresh_token"] != token["refresh_token"]


def test_an_unknown_refresh_token_is_invalid_grant(client):
    reply = client.post("/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": "not-a-token",
        "client_id": "sandbox-app", "client_secret": "sandbox-secret"})
    assert reply.status_code == 400 and reply.get_json()["error"] == "invalid_grant"
