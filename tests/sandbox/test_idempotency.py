"""Idempotency-Key on PUT/POST: the first response is kept 6 minutes and replayed to a retry
of the same request (errors too); another request under the same key is refused
(https://developer.xero.com/documentation/guides/idempotent-requests/idempotency/)."""
from __future__ import annotations

import threading
import uuid

import pytest
import requests

import xerosandbox
from tests.sandbox.sandbox_helpers import auth_headers, control, minted_token
from xerosandbox.faults import SandboxDroppedConnection
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

CONTACTS = "/api.xro/2.0/Contacts"
ORG = "/api.xro/2.0/Organisation"


@pytest.fixture
def token(client):
    return minted_token(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def put_contact(client, token, name: str, key: str | None, tenant=DEMO_TENANT_ID, path=CONTACTS):
    headers = auth_headers(token, tenant)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.put(path, json={"Contacts": [{"Name": name}]}, headers=headers)


def contacts_named(client, token, name: str, tenant=DEMO_TENANT_ID) -> list[dict]:
    listed = client.get(CONTACTS, headers=auth_headers(token, tenant))
    assert listed.status_code == 200
    return [c for c in listed.get_json()["Contacts"] if c["Name"] == name]


def totals(client) -> dict:
    return client.get("/_sandbox/stats").get_json()["totals"]


def test_a_retry_with_the_same_key_replays_the_first_response(client, token):
    name, key = unique("Replayed"), str(uuid.uuid4())
    first = put_contact(client, token, name, key)
    again = put_contact(client, token, name, key)
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.get_json()["Contacts"][0]["ContactID"] == first.get_json()["Contacts"][0]["ContactID"]
    assert len(contacts_named(client, token, name)) == 1
    assert totals(client)["replays"] == 1
    # A replay still counts against the limits, with headers of its own.
    assert int(again.headers["X-MinLimit-Remaining"]) == int(first.headers["X-MinLimit-Remaining"]) - 1


def test_the_same_key_on_a_different_request_is_refused(client, token):
    key = str(uuid.uuid4())
    assert put_contact(client, token, unique("First"), key).status_code == 200
    other_body = put_contact(client, token, unique("Second"), key)
    assert other_body.status_code == 400
    assert "is used with a different request" in other_body.get_json()["Message"]
    other_method = client.post(CONTACTS, json={"Contacts": [{"Name": "x"}]},
                               headers={**auth_headers(token), "Idempotency-Key": key})
    assert other_method.status_code == 400


def test_an_error_response_is_replayed_too(client, token):
    key = str(uuid.uuid4())
    headers = {**auth_headers(token), "Idempotency-Key": key}
    nameless = {"Contacts": [{"EmailAddress": "no-name@example.com"}]}   # Name is required
    first = client.put(CONTACTS, json=nameless, headers=headers)
    again = client.put(CONTACTS, json=nameless, headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.get_data() == first.get_data()
    assert totals(client)["replays"] == 1


def test_the_key_is_ignored_on_get(client, token):
    headers = {**auth_headers(token), "Idempotency-Key": "get-key"}
    assert client.get(ORG, headers=headers).status_code == 200
    assert client.get(ORG, headers=headers).status_code == 200
    assert "replays" not in totals(client)


def test_keys_longer_than_128_characters_are_refused(client, token):
    name = unique("Long key")
    too_long = put_contact(client, token, name, "k" * 129)
    assert too_long.status_code == 400
    assert "128" in too_long.get_json()["Message"]
    assert contacts_named(client, token, name) == []
    assert put_contact(client, token, name, "k" * 128).status_code == 200


def test_a_key_expires_six_minutes_after_its_first_use(client, token):
    key = str(uuid.uuid4())
    assert put_contact(client, token, unique("Before"), key).status_code == 200
    control(client, "clock", {"advance": 5 * 60})
    assert put_contact(client, token, unique("Still"), key).status_code == 400
    control(client, "clock", {"advance": 61})
    after = unique("After")
    assert put_contact(client, token, after, key).status_code == 200   # a new key again
    assert len(contacts_named(client, token, after)) == 1


def test_keys_belong_to_one_organisation(client, token):
    name, key = unique("Shared key"), str(uuid.uuid4())
    assert put_contact(client, token, name, key).status_code == 200
    assert put_contact(client, token, name, key, tenant=SECOND_TENANT_ID).status_code == 200
    assert len(contacts_named(client, token, name, SECOND_TENANT_ID)) == 1
    assert "replays" not in totals(client)


def test_a_retry_after_a_lost_response_gets_the_replay_and_one_object(client, token):
    name, key = unique("Lost once"), str(uuid.uuid4())
    control(client, "faults", {"next": ["lost_response", "500"]})
    with pytest.raises(SandboxDroppedConnection):
        put_contact(client, token, name, key)
    retry = put_contact(client, token, name, key)   # a replay: the queued 500 is not used
    assert retry.status_code == 200
    assert retry.get_json()["Contacts"][0]["Name"] == name
    assert client.get("/_sandbox/faults").get_json()["next"] == ["500"]
    client.delete("/_sandbox/faults")
    assert len(contacts_named(client, token, name)) == 1


def test_a_fault_before_the_view_does_not_burn_the_key(client, token):
    name, key = unique("Retried"), str(uuid.uuid4())
    control(client, "faults", {"next": ["503"]})
    assert put_contact(client, token, name, key).status_code == 503
    retry = put_contact(client, token, name, key)
    assert retry.status_code == 200                  # ran for real, not a replay of the 503
    assert len(contacts_named(client, token, name)) == 1
    assert "replays" not in totals(client)


def test_keys_survive_a_sandbox_restart(tmp_path):
    db = tmp_path / "sandbox.db"
    before = xerosandbox.create_app(db, control=True).test_client()
    token = minted_token(before)
    name, key = unique("Durable"), str(uuid.uuid4())
    first = put_contact(before, token, name, key)
    assert first.status_code == 200

    after = xerosandbox.create_app(db, control=True).test_client()
    again = put_contact(after, token, name, key)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(contacts_named(after, token, name)) == 1


def test_a_retry_while_the_first_is_still_running_waits_for_its_answer(fresh_sandbox):
    base = fresh_sandbox
    token = minted_token(base)
    name, key = unique("Concurrent"), str(uuid.uuid4())
    control(base, "faults", {"latency": 0.5})
    start = threading.Barrier(2)
    answers: list[requests.Response] = []

    def send():
        start.wait()
        answers.append(requests.put(base.url(CONTACTS), json={"Contacts": [{"Name": name}]},
                                    headers={**auth_headers(token), "Idempotency-Key": key},
                                    timeout=30))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["Contacts"][0]["ContactID"] == answers[1].json()["Contacts"][0]["ContactID"]
    listed = requests.get(base.url(CONTACTS), headers=auth_headers(token), timeout=30).json()
    assert [c["Name"] for c in listed["Contacts"]].count(name) == 1
    assert requests.get(base.url("/_sandbox/stats"), timeout=30).json()["totals"]["replays"] == 1
