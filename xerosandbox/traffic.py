"""Traffic rules of the Accounting API, in the order a call meets them (pipeline step 3 and
5 in api.py):

1. offline organisation        -> 503 "The Organisation is offline" (no call counted)
2. limits (limits.py)          -> 429 + Retry-After + X-Rate-Limit-Problem, or a slot
3. Idempotency-Key             -> replay / 400 different request (idempotency.py)
4. latency (faults.py)         -> the call takes that long, holding its slot (and its key)
5. injected fault (faults.py)  -> 429, 500, 502, 503, 504, timeout (dropped), or
                                  lost_response (the view runs and commits, then dropped)
6. the view; after it: store the keyed response, add X-*-Limit-Remaining, drop if lost.
teardown: the concurrency slot and an unfinished key are released whatever happened.

Control routes (``/_sandbox/``): ``GET|POST|DELETE /faults``, ``POST /orgs/<tenant_id>``
``{"offline": bool, "day_limit": int}`` and ``GET|POST|DELETE /limits``
``{"concurrent": int, "per_minute": int, "app_per_minute": int}``.
"""
from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass, field

from flask import Flask, Response, g, request

from . import control, faults, idempotency, orgs
from .errors import json_response, plain, problem
from .faults import Faults, FaultConfigError
from .idempotency import Claim, IdempotencyKeys
from .limits import CONCURRENT_PROBLEM, MINUTE_PROBLEM, Admission, Limiter, Limits, Rejection
from .state import Sandbox, sandbox

SCHEMA = idempotency.SCHEMA

_SETTINGS_KEY = "traffic"
_state_lock = threading.Lock()


@dataclass
class TrafficState:
    """This sandbox's in-memory traffic state (windows, slots, fault settings)."""
    limiter: Limiter
    faults: Faults
    keys: IdempotencyKeys

    @classmethod
    def fresh(cls, sb: Sandbox) -> TrafficState:
        return cls(Limiter(), Faults(), IdempotencyKeys(sb.store, sb.clock))


def state(sb: Sandbox) -> TrafficState:
    """Created on first use (a restart on an existing database does not re-seed)."""
    with _state_lock:
        current = sb.settings.get(_SETTINGS_KEY)
        if current is None:
            current = sb.settings[_SETTINGS_KEY] = TrafficState.fresh(sb)
        return current


def seed(sb: Sandbox) -> None:
    """A new database or /_sandbox/reset: fresh windows, no faults."""
    with _state_lock:
        sb.settings[_SETTINGS_KEY] = TrafficState.fresh(sb)


@dataclass
class Call:
    """What the traffic rules decided for the current request (``g.traffic``)."""
    traffic: TrafficState
    tenant_id: str
    client_id: str
    day_limit: int
    headers: dict[str, str] = field(default_factory=dict)
    admission: Admission | None = None
    claim: Claim | None = None
    claim_settled: bool = False
    answered_early: bool = False     # the response came from here, not from the view
    lose_response: bool = False


# -- pipeline ---------------------------------------------------------------------------------
def before_api() -> Response | None:
    tenant_id = getattr(g, "tenant_id", None)
    sb = sandbox()
    org = orgs.get(sb.store, tenant_id) if tenant_id else None
    if org is None:
        return None  # identity has already refused calls without a valid organisation
    call = g.traffic = Call(state(sb), tenant_id, getattr(g, "client_id", None) or "",
                            int(org["day_limit"]))
    sb.stats.incr("calls", tenant_id)
    if org["offline"]:
        call.headers = call.traffic.limiter.peek(tenant_id, call.client_id, call.day_limit,
                                                 sb.clock.now())
        return _early(call, plain(503, "The Organisation is offline"))

    decision = call.traffic.limiter.admit(tenant_id, call.client_id, call.day_limit, sb.clock.now())
    if isinstance(decision, Rejection):
        sb.stats.incr("limit_breaches", tenant_id)
        return _early(call, _too_many(sb, call, decision.problem, decision.retry_after,
                                      decision.headers))
    call.admission, call.headers = decision, decision.headers

    answer = _idempotency(sb, call)
    # Latency after the key is claimed: the call is "in progress" for that long, so a
    # retry under the same key meets it there (and waits), as it would at Xero.
    sb.clock.sleep(call.traffic.faults.latency_for(tenant_id, request.path))
    if answer is not None:
        return _early(call, answer)
    kind = call.traffic.faults.draw(tenant_id, request.path)
    return _inject(sb, call, kind) if kind else None


def after_api(response: Response) -> Response:
    call: Call | None = g.get("traffic")
    if call is None:
        return response
    if call.claim is not None and not call.claim_settled:
        if call.answered_early:   # an injected fault, not the view: the retry must run
            call.traffic.keys.release(call.claim)
        else:                     # the view's answer, errors included, is what replays
            call.traffic.keys.complete(call.claim, response)
        call.claim_settled = True
    if faults.is_dropped(response):
        return response
    if call.lose_response:
        sandbox().stats.incr("lost_responses", call.tenant_id)
        return faults.dropped_connection("lost_response")
    response.headers.update(call.headers)
    return response


def teardown_api(exc: BaseException | None) -> None:
    call: Call | None = g.get("traffic")
    if call is None:
        return
    if call.admission is not None:
        call.traffic.limiter.release(call.admission)
        call.admission = None
    if call.claim is not None and (exc is not None or not call.claim_settled):
        # The request crashed (or never got to after_api): nothing to replay.
        call.traffic.keys.release(call.claim)
        call.claim = None


# -- steps --------------------------------------------------------------------------------------
def _early(call: Call, response: Response) -> Response:
    call.answered_early = True
    return response


def _idempotency(sb: Sandbox, call: Call) -> Response | None:
    key = request.headers.get(idempotency.HEADER)
    if request.method not in idempotency.METHODS or not key:
        return None
    if len(key) > idempotency.MAX_LENGTH:
        return idempotency.key_too_long(key)
    query = request.query_string.decode("latin-1")
    fingerprint = idempotency.fingerprint(request.method, request.path + (f"?{query}" if query else ""),
                                          request.get_data(cache=True))
    claim = Claim(call.client_id, call.tenant_id, key)
    outcome, answer = call.traffic.keys.begin(claim, fingerprint)
    if outcome == idempotency.RUN:
        call.claim = claim
    elif outcome == idempotency.REPLAY:
        sb.stats.incr("replays", call.tenant_id)
    return answer


def _inject(sb: Sandbox, call: Call, kind: str) -> Response | None:
    sb.stats.incr(f"faults.{kind}", call.tenant_id)
    settings = call.traffic.faults
    if kind == "429":
        # Looks like a real minute-limit 429, and like one it costs no budget.
        now = sb.clock.now()
        headers = call.traffic.limiter.refund(call.admission, call.day_limit, now)
        wait = settings.retry_after
        if wait is None:
            wait = call.traffic.limiter.minute_reset_in(call.tenant_id, now)
        return _early(call, _too_many(sb, call, MINUTE_PROBLEM, wait, headers))
    if kind == "timeout":
        sb.clock.sleep(settings.timeout_seconds)
        return _early(call, faults.dropped_connection("timeout"))
    if kind == "lost_response":
        call.lose_response = True
        return None
    return _early(call, faults.error_response(kind))


def _too_many(sb: Sandbox, call: Call, problem_name: str, wait: float,
              headers: dict[str, str]) -> Response:
    sb.stats.incr("rate_limited", call.tenant_id)
    sb.stats.incr(f"rate_limited.{problem_name}", call.tenant_id)
    call.headers = headers
    return problem(429, "Too Many Requests",
                   f"You have exceeded the {_LIMIT_NAMES[problem_name]} rate limit.",
                   headers={"Retry-After": str(retry_after_seconds(sb, wait)),
                            "X-Rate-Limit-Problem": problem_name})


_LIMIT_NAMES = {"minute": "per-minute", "day": "daily", "appminute": "app per-minute",
                CONCURRENT_PROBLEM: "concurrent"}


def retry_after_seconds(sb: Sandbox, sandbox_seconds: float) -> int:
    """Whole REAL seconds (an unmodified client sleeps exactly that), at least 1."""
    real = sb.clock.to_real_seconds(max(0.0, sandbox_seconds))
    return max(1, math.ceil(real - 1e-6))


def admit_app_call(client_id: str) -> Response | dict[str, str]:
    """For identity's ``/connections`` (no organisation): count the call against the
    app-wide minute. Answers the headers to add (X-AppMinLimit-Remaining, the one limit
    header Xero sends there), or the 429 to answer instead when the app's minute is spent
    (Xero's 10,000 calls a minute per app count every call, /connections included)."""
    sb = sandbox()
    decision = state(sb).limiter.admit_app_call(client_id, sb.clock.now())
    if not isinstance(decision, Rejection):
        return {"X-AppMinLimit-Remaining": str(decision)}
    sb.stats.incr("rate_limited")
    sb.stats.incr(f"rate_limited.{decision.problem}")
    return problem(429, "Too Many Requests",
                   f"You have exceeded the {_LIMIT_NAMES[decision.problem]} rate limit.",
                   headers={"Retry-After": str(retry_after_seconds(sb, decision.retry_after)),
                            "X-Rate-Limit-Problem": decision.problem, **decision.headers})


# -- control API ------------------------------------------------------------------------------
def init_app(app: Flask) -> None:
    _register_control_routes()


_routes_registered = False


def _register_control_routes() -> None:
    """Once per process: control.bp is shared by every app the process builds (tests build
    many), and Flask refuses new routes on a blueprint after its first registration."""
    global _routes_registered
    if _routes_registered:
        return
    control.bp.add_url_rule("/faults", "faults", _faults_route, methods=["GET", "POST", "DELETE"])
    control.bp.add_url_rule("/orgs/<tenant_id>", "org_traffic", _org_route, methods=["POST"])
    control.bp.add_url_rule("/limits", "limits", _limits_route, methods=["GET", "POST", "DELETE"])
    _routes_registered = True


def _limits_route() -> Response:
    """GET: the limits in force. POST: change some of ``concurrent``, ``per_minute`` and
    ``app_per_minute`` (whole numbers >= 1), e.g. a small app-wide minute that a test can
    spend. DELETE: back to Xero's. Windows already open keep their counts."""
    traffic = state(sandbox())
    if request.method == "POST":
        body = request.get_json(silent=True)
        fields = set(Limits.__dataclass_fields__)
        if not isinstance(body, dict) or not body or set(body) - fields:
            return json_response({"error": f"send one or more of {sorted(fields)}"}, 400)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in body.values()):
            return json_response({"error": "each limit is a whole number >= 1"}, 400)
        traffic.limiter.limits = dataclasses.replace(traffic.limiter.limits, **body)
    elif request.method == "DELETE":
        traffic.limiter.limits = Limits()
    return json_response(dataclasses.asdict(traffic.limiter.limits))


def _faults_route() -> Response:
    """GET: the current fault settings. POST: merge settings (400 if any is unusable).
    DELETE: back to no latency and no faults."""
    settings = state(sandbox()).faults
    if request.method == "POST":
        try:
            settings.configure(request.get_json(silent=True))
        except FaultConfigError as exc:
            return json_response({"error": str(exc)}, 400)
    elif request.method == "DELETE":
        settings.clear()
    return json_response(settings.describe())


def _org_route(tenant_id: str) -> Response:
    """Take an organisation offline / online, or change its daily call budget."""
    sb = sandbox()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body or set(body) - {"offline", "day_limit"}:
        return json_response({"error": "send {\"offline\": true|false} and/or "
                                       "{\"day_limit\": calls per day}"}, 400)
    offline, day_limit = body.get("offline"), body.get("day_limit")
    if "offline" in body and not isinstance(offline, bool):
        return json_response({"error": "offline must be true or false"}, 400)
    if "day_limit" in body and (isinstance(day_limit, bool) or not isinstance(day_limit, int)
                                or day_limit < 0):
        return json_response({"error": "day_limit must be a whole number >= 0"}, 400)
    with sb.store.transaction() as tx:
        if tx.execute("SELECT 1 FROM organisations WHERE tenant_id = ?", (tenant_id,)).fetchone() is None:
            return json_response({"error": f"no organisation {tenant_id}"}, 404)
        if "offline" in body:
            tx.execute("UPDATE organisations SET offline = ? WHERE tenant_id = ?",
                       (int(offline), tenant_id))
        if "day_limit" in body:
            tx.execute("UPDATE organisations SET day_limit = ? WHERE tenant_id = ?",
                       (day_limit, tenant_id))
    org = orgs.get(sb.store, tenant_id)
    return json_response({"tenant_id": tenant_id, "name": org["name"],
                          "offline": bool(org["offline"]), "day_limit": org["day_limit"]})
