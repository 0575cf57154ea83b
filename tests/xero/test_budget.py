"""The per-organisation call budget (xeroapp/xero/budget.py) on a real Redis: 5 in flight,
N per window, the daily allowance, Xero's own figures, across threads AND processes, and
wired into XeroClient against the sandbox."""
from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from budget_workers import call_xero, take_slots
from xero_support import DEMO_TENANT_ID, child_settings, control, mint, store_connection, totals
from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection
from xeroapp.xero.budget import Budget, NotBefore, OverBudget, Slot
from xeroapp.xero.client import XeroClient


@pytest.fixture
def connection(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.scan_iter("*budget*"):
        client.delete(key)
    client.close()


@pytest.fixture
def tenant() -> str:
    return str(uuid.uuid4())


def take(budget: Budget, tenant: str, count: int, daily: int = 5000) -> list[Slot]:
    slots = [budget.try_acquire(tenant, daily) for _ in range(count)]
    assert all(isinstance(slot, Slot) for slot in slots), slots
    return slots  # type: ignore[return-value]


# -- one process --------------------------------------------------------------------------
def test_a_sixth_concurrent_call_waits_briefly_then_is_told_when_to_retry(connection, tenant):
    budget = Budget(connection, max_slot_wait=0.2)
    held = take(budget, tenant, 5)

    started = time.monotonic()
    answer = budget.acquire(tenant)

    assert isinstance(answer, NotBefore) and answer.reason == "concurrent"
    assert 0.2 <= time.monotonic() - started < 1.0  # a short wait, never a long sleep
    budget.release(held[0])
    assert isinstance(budget.acquire(tenant), Slot)


def test_a_freed_slot_is_taken_by_a_caller_already_waiting(connection, tenant):
    budget = Budget(connection, max_slot_wait=0.8)
    held = take(budget, tenant, 5)
    threading.Timer(0.1, budget.release, args=[held[0]]).start()

    assert isinstance(budget.acquire(tenant), Slot)


def test_the_slot_is_given_back_when_the_call_raises(connection, tenant):
    budget = Budget(connection)
    with pytest.raises(RuntimeError):
        with budget.slot(tenant):
            assert budget.in_flight(tenant) == 1
            raise RuntimeError("the call failed")
    assert budget.in_flight(tenant) == 0


def test_a_slot_of_a_process_that_died_expires_after_its_lease(connection, tenant):
    budget = Budget(connection, lease_seconds=0.3, max_slot_wait=0.0)
    take(budget, tenant, 5)  # never released: the process "died" holding them
    assert isinstance(budget.try_acquire(tenant), NotBefore)

    time.sleep(0.4)

    assert isinstance(budget.try_acquire(tenant), Slot)


def test_the_minute_allowance_answers_not_before_the_oldest_call_leaves_the_window(connection, tenant):
    budget = Budget(connection, per_minute=60)
    for _ in range(60):
        budget.release(take(budget, tenant, 1)[0])

    answer = budget.try_acquire(tenant)

    assert isinstance(answer, NotBefore) and answer.reason == "minute"
    assert 55 < answer.seconds <= 61  # a minute (plus the margin) after the first call
    with pytest.raises(OverBudget) as raised:
        with budget.slot(tenant):
            pass
    assert raised.value.retry_after == pytest.approx(answer.seconds, abs=1)


def test_the_daily_allowance_is_the_connections_own(connection, tenant):
    budget = Budget(connection)
    for slot in take(budget, tenant, 3, daily=3):
        budget.release(slot)

    answer = budget.try_acquire(tenant, 3)

    assert isinstance(answer, NotBefore) and answer.reason == "day"
    assert answer.seconds > 86_000
    assert isinstance(budget.try_acquire(tenant, 5000), Slot)  # the default allowance is larger


def test_a_window_frees_up_as_it_slides(connection, tenant):
    budget = Budget(connection, per_minute=3, minute_seconds=0.5)
    take(budget, tenant, 3)
    assert isinstance(budget.try_acquire(tenant), NotBefore)

    time.sleep(0.55)

    assert isinstance(budget.try_acquire(tenant), Slot)


# -- Xero's own figures -------------------------------------------------------------------
def test_xero_saying_fewer_calls_remain_is_believed(connection, tenant):
    budget = Budget(connection)
    take(budget, tenant, 1)
    budget.heard(tenant, {"X-MinLimit-Remaining": "2", "X-DayLimit-Remaining": "4000"})

    take(budget, tenant, 2)
    answer = budget.try_acquire(tenant)

    assert isinstance(answer, NotBefore) and answer.reason == "minute"
    assert 0 < answer.seconds <= 60


def test_xero_saying_more_remain_than_we_counted_does_not_raise_our_count(connection, tenant):
    budget = Budget(connection, per_minute=5, concurrent=10)
    take(budget, tenant, 4)
    budget.heard(tenant, {"X-MinLimit-Remaining": "59"})

    take(budget, tenant, 1)

    assert isinstance(budget.try_acquire(tenant), NotBefore)


def test_a_later_figure_replaces_an_earlier_lower_one(connection, tenant):
    budget = Budget(connection)
    budget.heard(tenant, {"X-MinLimit-Remaining": "0"})
    assert isinstance(budget.try_acquire(tenant), NotBefore)

    budget.heard(tenant, {"X-MinLimit-Remaining": "59"})  # e.g. Xero's window reset

    assert isinstance(budget.try_acquire(tenant), Slot)


def test_xero_saying_the_day_is_spent_holds_calls_for_a_while(connection, tenant):
    budget = Budget(connection)
    budget.heard(tenant, {"X-MinLimit-Remaining": "59", "X-DayLimit-Remaining": "0"})

    answer = budget.try_acquire(tenant)

    assert isinstance(answer, NotBefore) and answer.reason == "day"
    assert 3000 < answer.seconds <= 3600


# -- threads and processes ----------------------------------------------------------------
def check_reports(reports: list, concurrent: int, per_window: int, window: float) -> None:
    errors = [r[1] for r in reports if r[0] == "error"]
    assert not errors, errors[0]
    grants = sorted(r[1] for r in reports)
    assert max(r[2] for r in reports) == concurrent  # the limit was reached, never passed
    busiest = max(sum(1 for t in grants[i:] if t < start + window) for i, start in enumerate(grants))
    assert busiest == per_window


def test_threads_never_exceed_the_limits(connection, tenant, redis_url):
    barrier, results = threading.Barrier(12), _ListQueue()
    limits = {"per_minute": 20, "minute_seconds": 0.6}
    take_slots(redis_url, tenant, limits, 12, 1.5, 0.02, barrier, results)

    check_reports(results.items[0], concurrent=5, per_window=20, window=0.6)


def test_three_processes_never_exceed_the_limits(connection, tenant, redis_url):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3 * 6), context.Queue()
    limits = {"per_minute": 20, "minute_seconds": 0.8}
    processes = [context.Process(target=take_slots,
                                 args=(redis_url, tenant, limits, 6, 2.0, 0.02, barrier, results))
                 for _ in range(3)]
    for process in processes:
        process.start()
    reports = [r for _ in processes for r in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=30)

    check_reports(reports, concurrent=5, per_window=20, window=0.8)
    assert all(process.exitcode == 0 for process in processes)


class _ListQueue:
    def __init__(self) -> None:
        self.items: list = []

    def put(self, item) -> None:
        self.items.append(item)


# -- wired into XeroClient ----------------------------------------------------------------
def test_three_worker_processes_never_draw_a_429_from_xero(live_app, live_sandbox, records, connection):
    """80 calls from 3 processes x 4 threads, each taking 50 ms at the sandbox: Xero serves
    exactly its 60 a minute, our budget holds back the rest, and the sandbox never had to
    refuse one (no 429, no breach of its 5-in-flight limit)."""
    connection_id = store_connection(live_app, records.workspace(), mint(live_sandbox.url))
    control(live_sandbox.url, "faults", {"latency": 0.05})
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3 * 4), context.Queue()
    processes = [context.Process(target=call_xero,
                                 args=(child_settings(live_app), connection_id, DEMO_TENANT_ID,
                                       4, 7, barrier, results))
                 for _ in range(3)]
    for process in processes:
        process.start()
    outcomes = [o for _ in processes for o in results.get(timeout=180)]
    for process in processes:
        process.join(timeout=30)

    failures = [o for o in outcomes if o != "ok" and not o.startswith("over:")]
    assert not failures, failures[0]
    assert outcomes.count("ok") == 60  # the rest were told "not before" (minute, concurrent)
    assert outcomes.count("over:minute") > 0
    stats = totals(live_sandbox.url)
    assert stats["calls"] == 60
    assert stats.get("rate_limited", 0) == 0 and stats.get("limit_breaches", 0) == 0


def test_client_calls_count_against_the_connections_daily_allowance(xero_app, records, connection):
    app = xero_app
    sandbox = app.config["XERO_HTTP_TRANSPORT"].app
    minted = sandbox.test_client().post("/_sandbox/tokens", json={"tenants": [DEMO_TENANT_ID]}).get_json()
    connection_id = store_connection(app, records.workspace(), minted)
    with app.app_context():
        db.session.get(XeroConnection, connection_id).daily_call_limit = 2
        db.session.commit()
        client = XeroClient(connection_id, DEMO_TENANT_ID)
        client.organisation()
        client.accounting("GET", "Contacts")
        calls = sandbox.test_client().get("/_sandbox/stats").get_json()["totals"]["calls"]

        with pytest.raises(OverBudget) as raised:
            client.accounting("GET", "Contacts")
        assert raised.value.problem == "day"
        assert sandbox.test_client().get("/_sandbox/stats").get_json()["totals"]["calls"] == calls
        assert client.connections()  # not an Accounting API call: not counted, not refused


def test_with_redis_down_calls_go_ahead_uncounted(xero_app, records):
    """Our bookkeeping being unreachable must not stop pushes: Xero enforces its limits."""
    app = xero_app
    sandbox = app.config["XERO_HTTP_TRANSPORT"].app
    minted = sandbox.test_client().post("/_sandbox/tokens", json={"tenants": [DEMO_TENANT_ID]}).get_json()
    connection_id = store_connection(app, records.workspace(), minted)
    app.extensions["xeroapp.redis"] = redis.Redis(unix_socket_path="/nonexistent/redis.sock")
    try:
        with app.app_context():
            assert XeroClient(connection_id, DEMO_TENANT_ID).organisation()["Name"]
    finally:
        app.extensions.pop("xeroapp.redis").close()
        app.extensions.pop("xeroapp.xero_budget", None)
