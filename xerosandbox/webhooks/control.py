"""``/_sandbox/webhooks``: where the sandbox sends Xero's webhooks (off unless control is on).

- ``POST /_sandbox/webhooks`` ``{"url": "https://...", "key": "..."}`` registers (or
  re-registers) the receiver and runs Intent to Receive before answering; optional knobs in
  the same body (alone they change only the knobs): ``batch_seconds`` (real seconds events
  collect, default 0.5), ``timeout_seconds`` (default 5), ``retry_seconds`` (sandbox seconds
  between attempts, a list; the webhook is disabled when it runs out) and
  ``resource_base_url`` (events' resourceUrl host, default https://api.xero.com).
  Answers what ``GET`` shows.
- ``GET /_sandbox/webhooks`` -> ``{"registration": {url, status: PENDING|OK|FAILED|DISABLED,
  detail, registered_at} | null, "settings": {...}, "pending_events": n,
  "awaiting_retry": {events, attempts, next_attempt_at} | null, "next_sequence": n,
  "deliveries": [{at, kind: intent_to_receive|events, ok, status_code, error, events,
  first_sequence, last_sequence, signed_correctly}]}`` (the last 200 attempts).
- ``POST /_sandbox/webhooks/flush`` delivers what is queued now, in this request (a batch
  awaiting retry included): ``{"deliveries": [...this call's attempts], "pending_events": n}``.
- ``DELETE /_sandbox/webhooks`` removes the registration and what was queued.
"""
from __future__ import annotations

from typing import Any

from flask import Response, request

from ..control import bp
from ..errors import json_response
from ..state import sandbox
from .hub import Hub, Settings


def hub() -> Hub:
    from . import hub_of
    return hub_of(sandbox())


class _Bad(Exception):
    pass


@bp.get("/webhooks")
def show() -> Response:
    return json_response(hub().view())


@bp.post("/webhooks")
def register() -> Response:
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise _Bad('send {"url": "https://...", "key": "..."}')
        settings = _settings(hub().settings, body)
        target = _target(body)
    except _Bad as exc:
        return json_response({"error": str(exc)}, 400)
    current = hub()
    current.settings = settings
    if target is not None:
        current.register(*target)
    return json_response(current.view())


@bp.post("/webhooks/flush")
def flush() -> Response:
    current = hub()
    made = current.flush()
    return json_response({"deliveries": made, "pending_events": current.view()["pending_events"]})


@bp.delete("/webhooks")
def unregister() -> Response:
    hub().unregister()
    return json_response(hub().view())


def _target(body: dict[str, Any]) -> tuple[str, str] | None:
    url, key = body.get("url"), body.get("key")
    if url is None and key is None:
        return None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _Bad("url must be an http(s) URL")
    if not isinstance(key, str) or not key:
        raise _Bad("key (the webhook key events are signed with) is required")
    return url, key


def _settings(current: Settings, body: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {}
    for name in ("batch_seconds", "timeout_seconds"):
        if name in body:
            values[name] = _seconds(body[name], name)
    if "retry_seconds" in body:
        delays = body["retry_seconds"]
        if not isinstance(delays, list) or not delays:
            raise _Bad("retry_seconds is a non-empty list of sandbox seconds, e.g. [1, 2, 4]")
        values["retry_seconds"] = tuple(_seconds(d, "retry_seconds") for d in delays)
    if "resource_base_url" in body:
        base = body["resource_base_url"]
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise _Bad("resource_base_url must be an http(s) URL")
        values["resource_base_url"] = base
    return Settings(**{**current.__dict__, **values})


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _Bad(f"{name} must be a number of seconds, 0 or more")
    return float(value)
