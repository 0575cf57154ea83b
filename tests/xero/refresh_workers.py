"""Run in child processes by test_refresh_concurrency.py (spawned: a fresh interpreter, as a
separate web or worker process would be). Each child builds its own app and calls Xero from
several threads at once, all with a token that needs refreshing."""
from __future__ import annotations

import threading
import traceback
from typing import Any


def call_xero(settings: dict[str, Any], connection_id: int, tenant_id: str, threads: int,
              barrier, results) -> None:
    from xeroapp import create_app
    from xeroapp.xero.client import XeroClient

    app = create_app(settings)
    outcomes: list[str] = []

    def one_caller() -> None:
        try:
            with app.app_context():
                client = XeroClient(connection_id, tenant_id)
                barrier.wait(timeout=60)  # every caller in every process starts together
                listed = client.connections()
                outcomes.append("ok" if listed and listed[0]["tenantId"] == tenant_id else
                                f"unexpected answer {listed!r}")
        except Exception:  # reported to the parent, which fails the test with it
            outcomes.append(traceback.format_exc())

    workers = [threading.Thread(target=one_caller) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for outcome in outcomes:
        results.put(outcome)
