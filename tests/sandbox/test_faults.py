"""Offline organisations, injected latency and faults, and dropped connections (the statuses
and bodies of https://developer.xero.com/documentation/api/accounting/responsecodes; the
/_sandbox/faults and /_sandbox/orgs control routes)."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

import xerosandbox
from tests.sandbox.sandbox_helpers import ORG, auth_headers, call_org, control, minted_token
from xerosandbox.faults import SandboxDroppedConnection
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

CONTACTS = "/api.xro/2.0/Contacts"


def totals(client) -> dict:
    return client.get("/_sandbox/stats").get_json()["totals"]


def contacts_named(client, token, name: str) -> list[dict]:
    listed = client.get(CONTACTS, headers=auth_headers(token))
    assert listed.status_code == 200
    return [c for c in listed.get_json()["Contacts"] if c["Name"] == name]


def test_an_offline_organisation_answers_plain_text_503_without_using_its_budget(client, token):
    switched = client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"offline": True})
    assert switched.get_json()["offline"] is True
    offline = call_org(client, token)
    assert offline.status_code == 503
    assert offline.mimetype == "text/plain"
    assert offline.get_data(as_text=True) == "The Organisation is offline"
    assert offline.headers["X-MinLimit-Remaining"] == "60"
    assert call_org(client, token, SECOND_TENANT_ID).status_code == 200   # only that organisation

    client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"offline": False})
    back = call_org(client, token)
    assert back.status_code == 200
    assert back.headers["X-MinLimit-Remaining"] == "59"


def test_a_scripted_queue_plays_exact_faults_on_the_next_calls(client, token):
    control(client, "faults", {"next": ["429", "500", "503", "ok", "500"]})
    statuses = [call_org(client, token) for _ in range(6)]
    assert [r.status_code for r in statuses] == [429, 500, 503, 200, 500, 200]

    limited, crashed, unavailable = statuses[:3]
    assert limited.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert crashed.get_json()["Title"] == "An error occurred"
    assert crashed.get_json()["Status"] == 500
    assert unavailable.mimetype == "text/plain"
    assert unavailable.get_data(as_text=True) == "The Xero API is temporarily unavailable"

    counts = totals(client)
    assert counts["faults.429"] == 1 and counts["faults.500"] == 2 and counts["faults.503"] == 1
    assert counts["rate_limited"] == counts["rate_limited.minute"] == 1
    assert "limit_breaches" not in counts          # injected, not a real breach
    assert counts["calls"] == 6


def test_an_injected_429_costs_no_budget_and_can_name_its_own_wait(client, token):
    control(client, "faults", {"next": ["429"], "retry_after": 7})
    limited = call_org(client, token)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.headers["X-MinLimit-Remaining"] == "60"
    assert call_org(client, token).headers["X-MinLimit-Remaining"] == "59"


def test_gateway_faults_are_plain_text(client, token):
    control(client, "faults", {"next": ["502", "504"]})
    # 502/504 come from Xero's edge and are not statuses the spec or facts describe.
    bad_gateway = client.raw.get(ORG, headers=auth_headers(token))
    gateway_timeout = client.raw.get(ORG, headers=auth_headers(token))
    assert (bad_gateway.status_code, gateway_timeout.status_code) == (502, 504)
    assert bad_gateway.mimetype == gateway_timeout.mimetype == "text/plain"


def test_seeded_rates_repeat_the_same_run(client, token):
    def run() -> list[int]:
        control(client, "faults", {"rates": {"500": 0.5}, "seed": 42})
        return [call_org(client, token).status_code for _ in range(20)]

    first = run()
    assert set(first) == {200, 500}
    client.delete("/_sandbox/faults")
    control(client, "clock", {"advance": 60})  # a fresh minute for the second run
    assert run() == first


def test_faults_can_be_scoped_to_one_organisation(client, token):
    control(client, "faults", {"rates": {"503": 1.0}, "tenant_id": SECOND_TENANT_ID})
    assert call_org(client, token).status_code == 200
    assert call_org(client, token, SECOND_TENANT_ID).status_code == 503


def test_faults_can_be_aimed_at_one_resource(client, token):
    control(client, "faults", {"next": ["429"], "retry_after": 5, "paths": ["Organisation"]})
    assert client.get(CONTACTS, headers=auth_headers(token)).status_code == 200
    assert client.get("/_sandbox/faults").get_json()["next"] == ["429"]  # not consumed
    limited = call_org(client, token)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "5"
    assert call_org(client, token).status_code == 200  # the scripted fault was played once


def test_a_resource_target_covers_its_objects_and_any_case(client, token):
    control(client, "faults", {"rates": {"503": 1.0}, "paths": ["contacts"]})
    assert client.get(f"{CONTACTS}/{uuid.uuid4()}", headers=auth_headers(token)).status_code == 503
    assert client.get(CONTACTS, headers=auth_headers(token)).status_code == 503
    assert call_org(client, token).status_code == 200
    assert client.get("/_sandbox/faults").get_json()["paths"] == ["contacts"]
    assert client.delete("/_sandbox/faults").get_json()["paths"] == []


def test_latency_is_sandbox_seconds_divided_by_the_time_scale(token):
    app = xerosandbox.create_app(None, control=True, time_scale=10.0)
    fast = app.test_client()
    fast_token = minted_token(fast)
    control(fast, "faults", {"latency": 3.0})      # 3 sandbox seconds = 0.3 real seconds
    started = time.monotonic()
    assert call_org(fast, fast_token).status_code == 200
    assert 0.3 <= time.monotonic() - started < 2.0


def test_faults_never_touch_identity_calls(client, token):
    control(client, "faults", {"next": ["500"]})
    assert client.get("/connections", headers=auth_headers(token, None)).status_code == 200
    assert client.get("/_sandbox/faults").get_json()["next"] == ["500"]   # still waiting


def test_a_lost_response_is_dropped_after_the_view_committed(client, token):
    name = f"Lost {uuid.uuid4().hex[:8]}"
    control(client, "faults", {"next": ["lost_response"]})
    with pytest.raises(SandboxDroppedConnection):
        client.put(CONTACTS, json={"Contacts": [{"Name": name}]}, headers=auth_headers(token))
    assert len(contacts_named(client, token, name)) == 1
    counts = totals(client)
    assert counts["lost_responses"] == 1 and counts["faults.lost_response"] == 1


def test_a_timeout_holds_then_drops_without_running_the_view(client, token):
    name = f"Timed out {uuid.uuid4().hex[:8]}"
    control(client, "faults", {"next": ["timeout"], "timeout_seconds": 0.2})
    started = time.monotonic()
    with pytest.raises(SandboxDroppedConnection):
        client.put(CONTACTS, json={"Contacts": [{"Name": name}]}, headers=auth_headers(token))
    assert time.monotonic() - started >= 0.2
    assert contacts_named(client, token, name) == []


def test_a_real_client_sees_the_connection_drop(fresh_sandbox):
    base = fresh_sandbox
    token = minted_token(base)
    name = f"Dropped {uuid.uuid4().hex[:8]}"
    control(base, "faults", {"next": ["lost_response", "timeout"], "timeout_seconds": 0.1})
    with pytest.raises(requests.ConnectionError):
        requests.put(base.url(CONTACTS), json={"Contacts": [{"Name": name}]},
                     headers=auth_headers(token), timeout=10)
    with pytest.raises(requests.ConnectionError):
        requests.get(base.url(ORG), headers=auth_headers(token), timeout=10)
    # The server carries on, and the lost response's contact was created.
    listed = requests.get(base.url(CONTACTS), headers=auth_headers(token), timeout=10)
    assert listed.status_code == 200
    assert [c["Name"] for c in listed.json()["Contacts"]].count(name) == 1


def test_fault_settings_can_be_read_and_cleared(client):
    set_ = client.post("/_sandbox/faults", json={"latency": 0.5, "rates": {"500": 0.1}, "seed": 3})
    assert set_.status_code == 200
    assert client.get("/_sandbox/faults").get_json()["rates"] == {"500": 0.1}
    cleared = client.delete("/_sandbox/faults").get_json()
    assert cleared["latency"] == 0 and cleared["rates"] == {} and cleared["next"] == []


@pytest.mark.parametrize("body", [
    {"rates": {"418": 0.5}},
    {"rates": {"500": 1.5}},
    {"rates": {"500": 0.6, "503": 0.6}},
    {"latency": -1},
    {"next": ["explode"]},
    {"seed": "abc"},
    {"colour": "red"},
    {"paths": "Organisation"},
    {"paths": ["Invoices/abc"]},
    {"paths": [""]},
])
def test_unusable_fault_settings_are_refused_and_change_nothing(client, body):
    refused = client.post("/_sandbox/faults", json=body)
    assert refused.status_code == 400
    assert refused.get_json()["error"]
    assert client.get("/_sandbox/faults").get_json()["rates"] == {}
