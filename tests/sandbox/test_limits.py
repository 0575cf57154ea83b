"""Xero's call limits in the sandbox: 60/minute, day_limit/day and 5 in flight per
organisation, 10,000/minute per app; the X-*-Limit-Remaining headers; 429 with Retry-After
and X-Rate-Limit-Problem (https://developer.xero.com/documentation/guides/oauth2/limits/)."""
from __future__ import annotations

import threading

import requests

import xerosandbox
from tests.sandbox.sandbox_helpers import ORG, auth_headers, call_org, control, minted_token
from xerosandbox import traffic
from xerosandbox.limits import Limits
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID


def remaining(response) -> tuple[int, int, int]:
    h = response.headers
    return (int(h["X-DayLimit-Remaining"]), int(h["X-MinLimit-Remaining"]),
            int(h["X-AppMinLimit-Remaining"]))


def use_minute(client, token, tenant=DEMO_TENANT_ID, calls=60):
    for _ in range(calls):
        assert call_org(client, token, tenant).status_code == 200


def stats(client, tenant=None) -> dict:
    snapshot = client.get("/_sandbox/stats").get_json()
    return snapshot["tenants"].get(tenant, {}) if tenant else snapshot["totals"]


def test_every_call_carries_the_remaining_counts_and_they_count_down(client, token):
    first, second = call_org(client, token), call_org(client, token)
    assert first.status_code == second.status_code == 200
    assert remaining(first) == (4999, 59, 9999)
    assert remaining(second) == (4998, 58, 9998)


def test_the_61st_call_in_a_minute_gets_429_with_the_wait_until_the_window_ends(client, token):
    use_minute(client, token)
    refused = call_org(client, token)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 57 <= int(refused.headers["Retry-After"]) <= 60
    assert remaining(refused) == (4940, 0, 9940)
    assert refused.get_json()["Title"] == "Too Many Requests"

    control(client, "clock", {"advance": 30})
    later = call_org(client, token)
    assert later.status_code == 429
    assert 27 <= int(later.headers["Retry-After"]) <= 30   # the same window, 30 s closer to its end
    assert stats(client, DEMO_TENANT_ID)["rate_limited.minute"] == 2
    assert stats(client)["limit_breaches"] == 2


def test_a_new_minute_window_restores_the_budget_and_refused_calls_cost_nothing(client, token):
    use_minute(client, token)
    for _ in range(3):
        assert call_org(client, token).status_code == 429
    control(client, "clock", {"advance": 60})
    again = call_org(client, token)
    assert again.status_code == 200
    # 60 served + this one: the three 429s used none of the day's budget; both minute
    # windows (the organisation's and the app's) started afresh.
    assert remaining(again) == (4939, 59, 9999)


def test_limits_are_kept_per_organisation(client, token):
    use_minute(client, token)
    assert call_org(client, token).status_code == 429
    other = call_org(client, token, SECOND_TENANT_ID)
    assert other.status_code == 200
    assert remaining(other)[:2] == (4999, 59)
    assert remaining(other)[2] == 9939   # the app-wide minute counts both organisations


def test_the_organisation_day_limit_applies_and_resets_a_day_later(client, token):
    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"day_limit": 1000}).status_code == 200
    assert remaining(call_org(client, token))[0] == 999          # the Starter tier's 1,000 a day

    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"day_limit": 3}).status_code == 200
    assert [call_org(client, token).status_code for _ in range(2)] == [200, 200]
    refused = call_org(client, token)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "day"
    assert 86_390 <= int(refused.headers["Retry-After"]) <= 86_400
    assert remaining(refused)[0] == 0

    control(client, "clock", {"advance": 86_400})
    next_day = minted_token(client)   # yesterday's access token expired long ago
    assert call_org(client, next_day).status_code == 200


def test_retry_after_is_in_real_seconds_when_sandbox_time_runs_faster(token):
    app = xerosandbox.create_app(None, control=True, time_scale=2.0)  # a minute lasts 30 s
    fast = app.test_client()
    fast_token = minted_token(fast)
    use_minute(fast, fast_token)
    refused = call_org(fast, fast_token)
    assert refused.status_code == 429
    assert 25 <= int(refused.headers["Retry-After"]) <= 30


def test_the_app_wide_minute_limit_spans_organisations(sandbox_app, client, token):
    # 10,000 calls are too many for a unit test: shrink the app-wide limit, keep the rule.
    with sandbox_app.app_context():
        traffic.state(xerosandbox.state.sandbox()).limiter.limits = Limits(app_per_minute=3)
    assert call_org(client, token).status_code == 200
    assert call_org(client, token, SECOND_TENANT_ID).status_code == 200
    assert call_org(client, token).status_code == 200
    refused = call_org(client, token, SECOND_TENANT_ID)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "appminute"
    assert remaining(refused)[2] == 0
    assert stats(client)["rate_limited.appminute"] == 1


def test_a_view_that_crashes_still_gives_its_concurrency_slot_back(sandbox_app, client, token):
    endpoint, _ = sandbox_app.url_map.bind("localhost").match(ORG, "GET")

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    real_view = sandbox_app.view_functions[endpoint]
    sandbox_app.view_functions[endpoint] = crash
    for _ in range(6):  # more crashes than slots: a leaked slot would turn one into a 429
        assert client.raw.get(ORG, headers=auth_headers(token)).status_code == 500
    sandbox_app.view_functions[endpoint] = real_view
    assert call_org(client, token).status_code == 200
    with sandbox_app.app_context():
        assert traffic.state(xerosandbox.state.sandbox()).limiter.in_flight(DEMO_TENANT_ID) == 0


def test_only_five_calls_per_organisation_run_at_once(fresh_sandbox):
    """A real threaded server: 8 calls at once, each taking 0.5 s -> 5 served, 3 refused."""
    base = fresh_sandbox
    token = minted_token(base)
    control(base, "faults", {"latency": 0.5})
    start = threading.Barrier(8)
    results: list[requests.Response] = []
    lock = threading.Lock()

    def one_call():
        start.wait()
        response = requests.get(base.url(ORG), headers=auth_headers(token), timeout=30)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=one_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in results) == [200] * 5 + [429] * 3
    refused = [r for r in results if r.status_code == 429]
    assert {r.headers["X-Rate-Limit-Problem"] for r in refused} == {"concurrent"}
    assert {r.headers["Retry-After"] for r in refused} == {"1"}
    totals = requests.get(base.url("/_sandbox/stats"), timeout=30).json()["totals"]
    assert totals["rate_limited.concurrent"] == 3 and totals["limit_breaches"] == 3
    # The slots came back: the next call is served.
    assert requests.get(base.url(ORG), headers=auth_headers(token), timeout=30).status_code == 200


def test_org_control_route_refuses_bad_input(client):
    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"day_limit": "lots"}).status_code == 400
    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"offline": "yes"}).status_code == 400
    assert client.post(f"/_sandbox/orgs/{DEMO_TENANT_ID}", json={"colour": "red"}).status_code == 400
    missing = client.post("/_sandbox/orgs/00000000-0000-0000-0000-000000000000", json={"offline": True})
    assert missing.status_code == 404


def test_connections_calls_count_against_the_app_minute_only(client, token):
    listed = [client.get("/connections", headers=auth_headers(token, None)) for _ in range(2)]
    assert [r.headers["X-AppMinLimit-Remaining"] for r in listed] == ["9999", "9998"]
    assert "X-MinLimit-Remaining" not in listed[0].headers
    assert remaining(call_org(client, token)) == (4999, 59, 9997)


def test_the_app_minute_counts_connections_calls_and_refuses_them_when_spent(client, token):
    """Xero's 10,000 a minute per app spans every organisation and /connections too; set
    small through the control API, as the app's own tests do."""
    assert client.post("/_sandbox/limits", json={"app_per_minute": 3}).json["app_per_minute"] == 3
    assert call_org(client, token).status_code == 200
    assert call_org(client, token, SECOND_TENANT_ID).status_code == 200
    listed = client.get("/connections", headers=auth_headers(token, None))
    assert listed.status_code == 200 and listed.headers["X-AppMinLimit-Remaining"] == "0"

    refused = client.get("/connections", headers=auth_headers(token, None))
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "appminute"
    assert refused.headers["X-AppMinLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert call_org(client, token).status_code == 429
    assert stats(client)["rate_limited.appminute"] == 2

    control(client, "clock", {"advance": 60})
    assert client.get("/connections", headers=auth_headers(token, None)).status_code == 200
    assert client.delete("/_sandbox/limits").json["app_per_minute"] == 10_000


def test_limits_control_route_refuses_bad_input(client):
    for body in ({"app_per_minute": 0}, {"app_per_minute": "many"}, {"per_day": 5}, {},
                 {"per_minute": True}):
        assert client.post("/_sandbox/limits", json=body).status_code == 400, body
    assert client.get("/_sandbox/limits").json == {"concurrent": 5, "per_minute": 60,
                                                   "app_per_minute": 10_000}


def test_the_minute_budget_is_exact_under_parallel_callers(fresh_sandbox):
    """5 threads (never more than 5 in flight) share 70 calls: exactly 60 are served."""
    base = fresh_sandbox
    token = minted_token(base)
    statuses: list[int] = []
    lock = threading.Lock()

    def caller():
        with requests.Session() as session:
            for _ in range(14):
                status = session.get(base.url(ORG), headers=auth_headers(token), timeout=30).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=caller) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 60 and statuses.count(429) == 10
