"""``/_sandbox/``: the control API for tests and benchmarks. Off unless enabled
(``--control`` / ``create_app(control=True)``); when off every path answers 404, as it
would at Xero.

Core routes here: reset, clock, stats. Feature modules add their own routes on ``bp``
(faults, latency, limits, token minting, object dumps) from their ``init_app``.
"""
from __future__ import annotations

from flask import Blueprint, abort, request

from .errors import json_response
from .state import sandbox

bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


@bp.before_request
def _only_when_enabled():
    if not sandbox().control_enabled:
        abort(404)


def _body() -> dict:
    return request.get_json(silent=True) or {}


@bp.post("/reset")
def reset():
    """Forget everything (objects, grants, tokens, counters, knobs) and re-seed the demo data."""
    from . import reseed  # the app factory's seeding, shared with first start

    sb = sandbox()
    sb.store.wipe()
    sb.stats.reset()
    sb.settings.clear()
    reseed(sb)
    return json_response({"status": "reset"})


@bp.route("/clock", methods=["GET", "POST"])
def clock():
    """GET: sandbox time. POST ``{"advance": seconds}``: move it forward (never back)."""
    sb = sandbox()
    if request.method == "POST":
        try:
            seconds = float(_body().get("advance", 0))
        except (TypeError, ValueError):
            return json_response({"error": "advance must be a number of seconds"}, 400)
        if seconds < 0:
            return json_response({"error": "the clock only moves forward"}, 400)
        sb.clock.advance(seconds)
    now = sb.clock.utcnow()
    return json_response({"now": now.isoformat(), "epoch": now.timestamp(),
                          "time_scale": sb.clock.time_scale})


@bp.get("/stats")
def stats():
    return json_response(sandbox().stats.snapshot())
