"""The spec checker itself: it must pass what Xero sends and catch what Xero would not.

Every other sandbox test relies on it, so each rule it enforces is proved here on a
hand-made response (a checker that accepted everything would fail these)."""
from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.sandbox.sandbox_helpers import SpecCheckingClient, SpecCheckingMiddleware
from tests.sandbox.spec_validation import Exchange, SpecViolation, accounting, problems

CONTACT_ID = "5cc8cf28-567e-4d43-b287-687cfcaec47c"
ENVELOPE = {"Id": "04e93d48-e72f-4775-b7dd-15a041fab972", "Status": "OK",
            "ProviderName": "Xero API Partner", "DateTimeUTC": "/Date(1551399323399)/"}
JSON = {"Content-Type": "application/json; charset=utf-8", "X-DayLimit-Remaining": "4999",
        "X-MinLimit-Remaining": "59", "X-AppMinLimit-Remaining": "9999"}
PROBLEM_401 = {"Type": None, "Title": "Unauthorized", "Status": 401,
               "Detail": "TokenExpired: token expired at 01/02/2026 10:00:00",
               "Instance": "2a4a6a4c-6d5e-4a53-9c53-5d9d2c1b8d11", "Extensions": {}}


def contacts_body(**contact) -> dict:
    base = {"ContactID": CONTACT_ID, "Name": "Katherine Warren", "ContactStatus": "ACTIVE",
            "UpdatedDateUTC": "/Date(1552327126117+0000)/"}
    return {**ENVELOPE, "Contacts": [{**base, **contact}]}


def exchange(body, *, method="GET", path="/api.xro/2.0/Contacts", status=200, headers=JSON,
             query="") -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(method=method, path=path, query=query, status=status, headers=headers, body=raw)


def test_a_response_shaped_like_xeros_example_passes():
    assert problems(exchange(contacts_body())) == []


def test_an_iso_date_where_the_spec_marks_x_is_msdate_is_caught():
    found = problems(exchange(contacts_body(UpdatedDateUTC="2019-03-11T10:12:06")))
    assert len(found) == 1
    assert "getContacts" in found[0] and "Contacts[0].UpdatedDateUTC" in found[0]
    assert "MS-JSON" in found[0]


def test_an_msdate_in_a_nested_line_item_is_checked_too():
    invoice = {"InvoiceID": CONTACT_ID, "Type": "ACCREC", "Date": "2019-03-11",
               "LineItems": [{"Description": "x"}]}
    found = problems(exchange({**ENVELOPE, "Invoices": [invoice]}, path="/api.xro/2.0/Invoices"))
    assert any("Invoices[0].Date" in line for line in found)


def test_the_rate_limit_counters_must_be_on_every_tenant_call():
    headers = {**JSON}
    del headers["X-MinLimit-Remaining"]
    found = problems(exchange(contacts_body(), headers=headers))
    assert len(found) == 1 and "X-MinLimit-Remaining" in found[0]
    lower = {k.lower(): v for k, v in JSON.items()}  # header names are case-insensitive
    assert problems(exchange(contacts_body(), headers=lower)) == []


def test_an_enum_value_outside_the_spec_is_caught():
    found = problems(exchange(contacts_body(ContactStatus="DISABLED")))
    assert found and "Contacts[0].ContactStatus" in found[0] and "DISABLED" in found[0]


def test_a_property_the_spec_does_not_list_is_caught():
    found = problems(exchange(contacts_body(ContactId=CONTACT_ID)))
    assert found and "ContactId" in found[0]


def test_a_wrong_type_is_caught():
    found = problems(exchange(contacts_body(IsSupplier="false")))
    assert found and "IsSupplier" in found[0]


def test_a_response_without_xeros_envelope_is_caught():
    body = contacts_body()
    del body["ProviderName"]
    assert any("ProviderName" in line for line in problems(exchange(body)))


def test_paths_are_matched_case_insensitively_and_ids_by_template():
    found = problems(exchange(contacts_body(ContactStatus="NOPE"),
                              path=f"/api.xro/2.0/contacts/{CONTACT_ID}"))
    assert found and found[0].startswith("getContact (GET")
    by_number = problems(exchange(contacts_body(ContactStatus="NOPE"), path="/api.xro/2.0/Contacts/CUST-1"))
    assert by_number and by_number[0].startswith("getContactByContactNumber (GET")


def test_an_operation_missing_from_the_spec_is_caught_unless_it_is_a_404():
    assert problems(exchange({"x": 1}, path="/api.xro/2.0/Widgets"))
    assert problems(exchange(b"Not found", path="/api.xro/2.0/Widgets", status=404,
                             headers={"Content-Type": "text/plain"})) == []


def test_a_documented_400_must_be_xeros_error_shape():
    good = {"ErrorNumber": 10, "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"Name": "Bob", "ValidationErrors": [{"Message": "taken"}]}]}
    assert problems(exchange(good, method="PUT", status=400)) == []
    bad = {**good, "Elements": [{"ValidationErrors": "taken"}]}
    assert problems(exchange(bad, method="PUT", status=400))


def test_an_undocumented_400_on_a_get_must_still_be_xeros_error_shape():
    assert problems(exchange({"error": "bad where"}, status=400))


def test_401_must_be_problem_details():
    assert problems(exchange(PROBLEM_401, status=401)) == []
    assert problems(exchange({**PROBLEM_401, "Title": "Forbidden"}, status=401))
    assert problems(exchange(b"Unauthorized", status=401, headers={"Content-Type": "text/plain"}))


def test_403_must_say_authentication_unsuccessful():
    forbidden = {**PROBLEM_401, "Title": "Forbidden", "Status": 403,
                 "Detail": "AuthenticationUnsuccessful"}
    assert problems(exchange(forbidden, status=403)) == []
    assert problems(exchange({**forbidden, "Detail": "nope"}, status=403))


def test_429_needs_the_limit_header_and_retry_after():
    ok = {**JSON, "X-Rate-Limit-Problem": "minute", "Retry-After": "17"}
    assert problems(exchange({}, status=429, headers=ok)) == []
    assert problems(exchange({}, status=429, headers=JSON))
    assert problems(exchange({}, status=429, headers={**JSON, "X-Rate-Limit-Problem": "minute"}))


def test_503_must_be_plain_text():
    text = {"Content-Type": "text/plain; charset=utf-8"}
    assert problems(exchange(b"The Organisation is offline", status=503, headers=text)) == []
    assert problems(exchange({"message": "offline"}, status=503))


def test_a_status_xero_never_sends_is_caught():
    assert problems(exchange(b"<html>", status=418, headers={"Content-Type": "text/html"}))


def test_connections_accept_xeros_offset_less_timestamps_and_catch_bad_ones():
    connection = {"id": "7cb59f93-2964-421d-bb5e-a0f7a4572a44",
                  "tenantId": "fe79f7dd-b6d4-4a92-ba7b-538af6289c58", "tenantType": "ORGANISATION",
                  "tenantName": "Demo Company (NZ)", "createdDateUtc": "2019-12-07T18:46:19.5165400",
                  "updatedDateUtc": "2019-12-07T18:46:19.5187840"}
    assert problems(exchange([connection], path="/connections")) == []
    found = problems(exchange([{**connection, "tenantId": "demo"}], path="/connections"))
    assert found and "getConnections" in found[0] and "tenantId" in found[0]


def test_deleting_a_connection_answers_204_without_a_body():
    path = "/connections/7cb59f93-2964-421d-bb5e-a0f7a4572a44"
    assert problems(exchange(b"", method="DELETE", path=path, status=204,
                             headers={"X-AppMinLimit-Remaining": "9999"})) == []
    assert problems(exchange({"ok": True}, method="DELETE", path=path, status=204))


def test_token_responses_follow_the_identity_access_token_schema():
    token = {"access_token": "a", "refresh_token": "r", "expires_in": 1800,
             "token_type": "Bearer", "id_token": "i", "scope": "openid"}
    assert problems(exchange(token, method="POST", path="/connect/token")) == []
    assert problems(exchange({**token, "expires_in": "1800"}, method="POST", path="/connect/token"))
    assert problems(exchange({"error": "invalid_grant"}, method="POST", path="/connect/token",
                             status=400)) == []
    assert problems(exchange({"message": "bad"}, method="POST", path="/connect/token", status=400))


def _fake_xero(body: dict, status: int = 200) -> Flask:
    app = Flask(__name__)
    limits = {k: v for k, v in JSON.items() if k != "Content-Type"}
    app.add_url_rule("/api.xro/2.0/Contacts", "contacts", lambda: (body, status, limits))
    app.test_client_class = SpecCheckingClient
    return app


def test_the_checking_client_fails_the_test_with_operation_and_field():
    client = _fake_xero(contacts_body(UpdatedDateUTC="2019-03-11"), 200).test_client()
    with pytest.raises(SpecViolation) as failure:
        client.get("/api.xro/2.0/Contacts")
    assert "getContacts" in str(failure.value) and "Contacts[0].UpdatedDateUTC" in str(failure.value)


def test_the_raw_client_is_the_explicit_way_around_the_check():
    client = _fake_xero(contacts_body(UpdatedDateUTC="2019-03-11"), 200).test_client()
    assert client.raw.get("/api.xro/2.0/Contacts").status_code == 200


# -- the spec's own examples are real Xero output: the checker must accept them ---------------

RESOURCES = ("Organisation", "Accounts", "TaxRates", "Contacts", "Invoices", "PurchaseOrders", "Items")
# Flaws of the examples themselves, not of Xero's responses: a typo'd key ("TaxNumbeType"),
# literal nulls inside Contact.Addresses/Phones, and one GET /Accounts example without its
# envelope.
EXAMPLE_FLAWS = ("'TaxNumbeType' was unexpected", ".Addresses[0]: None", ".Phones[1]: None",
                 "getAccounts (GET /api.xro/2.0/Accounts) -> 200: envelope lacks")


def spec_examples():
    doc = accounting()
    for template, item in doc.raw["paths"].items():
        if template.split("/")[1] not in RESOURCES or "CISSettings" in template:
            continue
        for method, op in item.items():
            for status, response in op.get("responses", {}).items() if isinstance(op, dict) else ():
                example = (response.get("content") or {}).get("application/json", {}).get("example")
                if example is not None:
                    yield pytest.param(template, method, int(status), example,
                                       id=f"{op['operationId'].strip()}-{status}")


@pytest.mark.parametrize("template,method,status,example", list(spec_examples()))
def test_xeros_own_response_examples_pass(template, method, status, example):
    path = "/api.xro/2.0" + re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", template)
    if isinstance(example, str):
        example = json.loads(example)
    # PyYAML reads unquoted example timestamps (DateString: 2019-03-11T00:00:00) as datetimes.
    body = json.dumps(example, default=lambda d: d.isoformat()).encode()
    found = problems(exchange(body, method=method.upper(), path=path, status=status))
    assert [line for line in found if not any(flaw in line for flaw in EXAMPLE_FLAWS)] == []


def test_a_400_documented_by_reference_is_checked_against_the_referenced_schema():
    # createItems documents 400 as $ref: "#/components/responses/400Error"
    good = {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
            "Elements": [{"Code": "X", "ValidationErrors": [{"Message": "taken"}]}]}
    assert problems(exchange(good, method="PUT", path="/api.xro/2.0/Items", status=400)) == []
    assert problems(exchange({**good, "ErrorNumber": "10"}, method="PUT", path="/api.xro/2.0/Items", status=400))


def test_the_live_server_middleware_records_what_breaks_the_spec():
    app = _fake_xero(contacts_body(ContactStatus="GONE"), 200)
    recorder = SpecCheckingMiddleware(app.wsgi_app)
    app.wsgi_app = recorder
    reply = FlaskClient(app).get("/api.xro/2.0/Contacts")  # the caller still gets the answer
    assert reply.status_code == 200 and reply.get_json()["Contacts"][0]["ContactStatus"] == "GONE"
    found = recorder.take()
    assert len(found) == 1 and "Contacts[0].ContactStatus" in found[0]
    assert recorder.take() == []
