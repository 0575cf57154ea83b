"""Sizes Xero refuses: a request body over 3.5 MB (413, before authentication) and a line
item's Description over 4,000 characters (a validation error of that element)."""
from __future__ import annotations

import io
import json

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.request_size import MAX_BODY_BYTES

API = "/api.xro/2.0"
LINE = {"Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}


@pytest.fixture
def headers(client) -> dict[str, str]:
    return auth_headers(minted_token(client))


def contacts_body(size: int, name: str = "Padded Ltd") -> bytes:
    """A PUT /Contacts body of exactly ``size`` bytes: one contact, padded with a property
    Xero does not know (and drops)."""
    empty = json.dumps({"Contacts": [{"Name": name, "Padding": ""}]}).encode()
    padded = json.dumps({"Contacts": [{"Name": name, "Padding": "x" * (size - len(empty))}]})
    assert len(padded.encode()) == size
    return padded.encode()


def contact_names(client, headers) -> list[str]:
    return [c["Name"] for c in client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"]]


def test_a_body_of_3_5_mb_is_taken_and_one_byte_more_is_refused(client, headers):
    at_limit = client.put(f"{API}/Contacts", headers=headers,
                          data=contacts_body(MAX_BODY_BYTES, "At Limit Ltd"),
                          content_type="application/json")
    assert at_limit.status_code == 200

    over = client.put(f"{API}/Contacts", headers=headers,
                      data=contacts_body(MAX_BODY_BYTES + 1, "Over Limit Ltd"),
                      content_type="application/json")
    assert over.status_code == 413
    body = over.get_json()
    assert (body["Title"], body["Status"], body["Detail"]) == ("RequestEntityTooLarge", 413,
                                                               "PayloadTooLarge")
    assert contact_names(client, headers) == ["At Limit Ltd"]
    assert "X-MinLimit-Remaining" not in over.headers  # refused before the API counted it


def test_the_size_is_checked_before_authentication(client):
    over = client.put(f"{API}/Contacts", data=contacts_body(MAX_BODY_BYTES + 1),
                      content_type="application/json")
    assert over.status_code == 413
    assert client.put(f"{API}/Contacts", data=contacts_body(1000),
                      content_type="application/json").status_code == 401


def test_a_body_without_content_length_is_measured_as_it_is_read(client, headers):
    """A chunked body has no Content-Length: it is refused once it passes the limit."""
    over = client.put(f"{API}/Contacts", headers={**headers, "Transfer-Encoding": "chunked"},
                      input_stream=io.BytesIO(contacts_body(MAX_BODY_BYTES + 1)),
                      content_type="application/json",
                      environ_overrides={"wsgi.input_terminated": True})
    assert over.request.content_length is None
    assert over.status_code == 413
    assert contact_names(client, headers) == []


@pytest.fixture
def contact_id(client, headers) -> str:
    made = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Customer"}]})
    return made.get_json()["Contacts"][0]["ContactID"]


@pytest.mark.parametrize("resource, element", [
    ("Invoices", {"Type": "ACCREC", "Date": "2024-05-01", "DueDate": "2024-05-15"}),
    ("PurchaseOrders", {"Date": "2024-05-01"}),
])
def test_a_line_description_may_have_4000_characters_and_no_more(client, headers, contact_id,
                                                                  resource, element):
    def send(description: str):
        document = {**element, "Contact": {"ContactID": contact_id},
                    "LineItems": [{**LINE, "Description": description}]}
        return client.put(f"{API}/{resource}", headers=headers, json={resource: [document]})

    too_long = send("x" * 4001)
    assert too_long.status_code == 400
    assert [e["Message"] for e in too_long.get_json()["Elements"][0]["ValidationErrors"]] == [
        "LineItems.Description must not be more than 4000 characters long."]
    assert client.get(f"{API}/{resource}", headers=headers).get_json()[resource] == []

    fits = send("x" * 4000)
    assert fits.status_code == 200
    assert len(fits.get_json()[resource][0]["LineItems"][0]["Description"]) == 4000
