"""Parsed accounting objects are shared between requests: what each call sees must still be
exactly what is committed (a rolled-back batch leaves nothing, a reset forgets, a rename or
archive frees the old name, organisations never see each other's)."""
from __future__ import annotations

from tests.sandbox.sandbox_helpers import auth_headers, control, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

API = "/api.xro/2.0"


def put(client, headers, *contacts: dict, query: str = ""):
    return client.put(f"{API}/Contacts{query}", headers=headers, json={"Contacts": list(contacts)})


def named(client, headers, name: str) -> list[dict]:
    response = client.get(f"{API}/Contacts", headers=headers,
                          query_string={"where": f'Name=="{name}"'})
    assert response.status_code == 200
    return response.get_json()["Contacts"]


def test_a_rolled_back_batch_leaves_nothing_in_later_calls(client, headers) -> None:
    assert named(client, headers, "Kept") == []  # the organisation's contacts are now parsed
    refused = put(client, headers, {"Name": "Kept", "ContactNumber": "K-1"}, {"Name": ""})
    assert refused.status_code == 400
    assert named(client, headers, "Kept") == []
    again = put(client, headers, {"Name": "Kept", "ContactNumber": "K-1"})
    assert again.status_code == 200, "a leftover number would refuse it as already assigned"
    assert [c["ContactNumber"] for c in named(client, headers, "Kept")] == ["K-1"]


def test_each_element_of_a_batch_sees_the_ones_before_it(client, headers) -> None:
    answer = put(client, headers, {"Name": "Twice"}, {"Name": "twice "},
                 query="?summarizeErrors=false").get_json()["Contacts"]
    assert answer[0]["StatusAttributeString"] == "OK"
    assert answer[1]["StatusAttributeString"] == "ERROR"
    assert len(named(client, headers, "Twice")) == 1


def test_archiving_or_renaming_frees_the_name_for_the_next_call(client, headers) -> None:
    first = put(client, headers, {"Name": "Old Name"}).get_json()["Contacts"][0]
    renamed = client.post(f"{API}/Contacts/{first['ContactID']}", headers=headers,
                          json={"Contacts": [{"Name": "New Name"}]})
    assert renamed.status_code == 200
    assert put(client, headers, {"Name": "Old Name"}).status_code == 200
    second = named(client, headers, "Old Name")[0]
    archived = client.post(f"{API}/Contacts/{second['ContactID']}", headers=headers,
                           json={"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert archived.status_code == 200
    assert put(client, headers, {"Name": "Old Name"}).status_code == 200
    assert put(client, headers, {"Name": "New Name"}).status_code == 400


def test_a_reset_forgets_them(client, headers) -> None:
    assert put(client, headers, {"Name": "Before Reset"}).status_code == 200
    control(client, "reset")
    fresh = auth_headers(minted_token(client))
    assert named(client, fresh, "Before Reset") == []
    assert put(client, fresh, {"Name": "Before Reset"}).status_code == 200


def test_organisations_never_see_each_others(client) -> None:
    token = minted_token(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    demo, second = auth_headers(token, DEMO_TENANT_ID), auth_headers(token, SECOND_TENANT_ID)
    assert named(client, second, "Only Demo") == []
    assert put(client, demo, {"Name": "Only Demo"}).status_code == 200
    assert named(client, second, "Only Demo") == []
    assert put(client, second, {"Name": "Only Demo"}).status_code == 200
    assert len(named(client, demo, "Only Demo")) == 1
