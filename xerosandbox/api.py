"""The Accounting API blueprint (``/api.xro/2.0``) and its request pipeline.

Every accounting request passes, in this order:
1. identity.authenticate_api_request  Bearer token -> 401 TokenExpired / Unauthorized;
                                      xero-tenant-id -> 403 AuthenticationUnsuccessful.
                                      Sets g.user_id, g.client_id, g.scopes, g.tenant_id.
2. identity.check_scope               the view's required scopes -> 401 AuthorizationUnsuccessful.
3. traffic.before_api                 offline org (503 text), injected latency and faults,
                                      rate limits (429), Idempotency-Key replay.
4. the resource view                  (accounting/)
5. traffic.after_api                  X-*-Limit-Remaining headers, idempotency capture,
                                      "response lost after commit".
   traffic.teardown_api               releases the concurrency slot, whatever happened.

Resource modules register their views on ``bp`` and declare scopes with ``requires_scope``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint

from . import identity, traffic

bp = Blueprint("accounting_api", __name__, url_prefix="/api.xro/2.0")
bp.before_request(identity.authenticate_api_request)
bp.before_request(identity.check_scope)
bp.before_request(traffic.before_api)
bp.after_request(traffic.after_api)
bp.teardown_request(traffic.teardown_api)

F = TypeVar("F", bound=Callable)


def requires_scope(*alternatives: str) -> Callable[[F], F]:
    """Mark a view as needing any one of ``alternatives`` (e.g. ``accounting.contacts``,
    ``accounting.contacts.read``). identity.check_scope enforces it."""
    def mark(view: F) -> F:
        view.required_scopes = frozenset(alternatives)  # type: ignore[attr-defined]
        return view
    return mark
