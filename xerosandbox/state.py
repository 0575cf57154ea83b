"""The one object that holds a running sandbox's state, reachable from any request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from .clock import Clock
from .stats import Stats
from .store import Store


@dataclass
class Sandbox:
    store: Store
    clock: Clock
    stats: Stats = field(default_factory=Stats)
    control_enabled: bool = False
    # Mutable run-time knobs set through /_sandbox/ (latency, fault rates, limits ...).
    # Each feature module owns its own keys and documents them where it reads them.
    settings: dict[str, Any] = field(default_factory=dict)
    # Long-lived helpers that own threads (the webhook sender): they outlive
    # /_sandbox/reset, which clears settings, and clear their own state from their seed().
    services: dict[str, Any] = field(default_factory=dict)


def sandbox() -> Sandbox:
    """The current app's sandbox state (inside a request or app context)."""
    return current_app.extensions["xerosandbox"]
