"""Run in spawned child processes by test_budget.py: each child is a separate worker process
taking budget slots from several threads at once."""
from __future__ import annotations

import threading
import time
import traceback
from typing import Any


def take_slots(redis_url: str, tenant_id: str, limits: dict[str, Any], threads: int,
               seconds: float, hold: float, barrier, results) -> None:
    """Every thread takes slots for ``seconds``, holding each for ``hold``; reports
    ("grant", granted_at, in_flight_seen) per slot, or a traceback."""
    import redis

    from xeroapp.xero.budget import Budget, Slot

    budget = Budget(redis.Redis.from_url(redis_url), **limits)
    counter = f"test:budget:{tenant_id}:inflight-seen"
    reports: list[Any] = []

    def one_thread() -> None:
        try:
            barrier.wait(timeout=60)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                answer = budget.try_acquire(tenant_id)
                if not isinstance(answer, Slot):
                    time.sleep(0.005)
                    continue
                try:  # how many callers hold a slot right now, by every process's count
                    seen = budget.redis.incr(counter)
                    time.sleep(hold)
                    budget.redis.decr(counter)
                finally:
                    budget.release(answer)
                reports.append(("grant", answer.granted_at, seen))
        except Exception:
            reports.append(("error", traceback.format_exc(), 0))

    workers = [threading.Thread(target=one_thread) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(reports)


def call_xero(settings: dict[str, Any], connection_id: int, tenant_id: str, threads: int,
              calls: int, barrier, results) -> None:
    """Every thread makes ``calls`` Accounting API calls through XeroClient; reports "ok",
    "over:<reason>" (our budget said not yet) or a traceback, one per call."""
    from xeroapp import create_app
    from xeroapp.xero.budget import OverBudget
    from xeroapp.xero.client import XeroClient

    app = create_app(settings)
    outcomes: list[str] = []

    def one_thread() -> None:
        with app.app_context():
            client = XeroClient(connection_id, tenant_id)
            barrier.wait(timeout=60)
            for _ in range(calls):
                try:
                    client.accounting("GET", "Organisation")
                    outcomes.append("ok")
                except OverBudget as exc:
                    outcomes.append(f"over:{exc.problem}")
                except Exception:
                    outcomes.append(traceback.format_exc())

    workers = [threading.Thread(target=one_thread) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(outcomes)


def take_app_slots(redis_url: str, lanes: list[tuple[str, float]], limits: dict[str, Any],
                   seconds: float, barrier, results) -> None:
    """One thread per (tenant, start delay) lane, each taking slots of its organisation as
    fast as it is let, for ``seconds`` after the barrier; reports (tenant, app_counted_at)
    per slot, or ("error", traceback)."""
    import redis

    from xeroapp.xero.budget import Budget, Slot

    budget = Budget(redis.Redis.from_url(redis_url), **limits)
    reports: list[Any] = []

    def one_lane(tenant_id: str, delay: float) -> None:
        try:
            barrier.wait(timeout=60)
            end = time.monotonic() + seconds
            time.sleep(delay)
            while time.monotonic() < end:
                answer = budget.try_acquire(tenant_id)
                if isinstance(answer, Slot):
                    budget.release(answer)
                    reports.append((tenant_id, answer.app_counted_at))
                else:
                    time.sleep(0.002)
        except Exception:
            reports.append(("error", traceback.format_exc()))

    workers = [threading.Thread(target=one_lane, args=lane) for lane in lanes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(reports)
