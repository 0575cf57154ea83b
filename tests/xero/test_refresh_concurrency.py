"""One refresh at a time per connection, across threads AND processes.

50 callers in 5 processes (10 threads each) share one connection whose access token Xero has
just expired. Xero rotates refresh tokens, so if two callers refreshed, the second would use
a token the first had already spent. Exactly one token exchange must reach the sandbox, and
every caller must get its answer.
"""
from __future__ import annotations

import multiprocessing


from tests.xero.refresh_workers import call_xero
from tests.xero.xero_support import (DEMO_TENANT_ID, child_settings, control, mint,
                                     store_connection, totals)

PROCESSES = 5
THREADS = 10


def test_fifty_callers_in_five_processes_cause_exactly_one_refresh(live_app, live_sandbox, records):
    workspace_id = records.workspace()
    connection_id = store_connection(live_app, workspace_id, mint(live_sandbox.url))
    control(live_sandbox.url, "clock", {"advance": 1900})  # every stored access token is dead

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES * THREADS)
    results = context.Queue()
    processes = [context.Process(target=call_xero,
                                 args=(child_settings(live_app), connection_id, DEMO_TENANT_ID,
                                       THREADS, barrier, results))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=180) for _ in range(PROCESSES * THREADS)]
    for process in processes:
        process.join(timeout=30)

    failures = [o for o in outcomes if o != "ok"]
    assert not failures, failures[0]
    stats = totals(live_sandbox.url)
    assert stats.get("token.refresh_token") == 1
    assert stats.get("token.invalid_grant", 0) == 0
    assert all(process.exitcode == 0 for process in processes)
