"""Counters the control API reports (``GET /_sandbox/stats``).

Kept in memory: they describe this process's run (a benchmark or a test), and
``/_sandbox/reset`` zeroes them. Keys are free-form dotted names, optionally per tenant:
``calls``, ``rate_limited``, ``limit_breaches``, ``replays``, ``token.authorization_code``,
``token.refresh_token``, ``revocations`` ...
"""
from __future__ import annotations

import threading
from collections import Counter


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: Counter[str] = Counter()
        self._per_tenant: dict[str, Counter[str]] = {}

    def incr(self, name: str, tenant_id: str | None = None, by: int = 1) -> None:
        with self._lock:
            self._totals[name] += by
            if tenant_id:
                self._per_tenant.setdefault(tenant_id, Counter())[name] += by

    def get(self, name: str, tenant_id: str | None = None) -> int:
        with self._lock:
            if tenant_id:
                return self._per_tenant.get(tenant_id, Counter())[name]
            return self._totals[name]

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "totals": dict(self._totals),
                "tenants": {t: dict(c) for t, c in self._per_tenant.items()},
            }

    def reset(self) -> None:
        with self._lock:
            self._totals.clear()
            self._per_tenant.clear()
