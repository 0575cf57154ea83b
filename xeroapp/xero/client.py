"""XeroClient: one class for every call to the Accounting API and to ``/connections``.

It supplies a fresh access token (tokens.access_token_for: refreshed before expiry, and once
more on a 401, one refresh at a time per connection), the ``xero-tenant-id`` header, an
optional Idempotency-Key, and turns Xero's answers into typed exceptions (errors.py) so that
callers never read status codes. Every Accounting API call takes a slot of the
organisation's shared budget first (budget.py) and reports Xero's X-*-Limit-Remaining back to
it; over budget it raises OverBudget (a RateLimited) without calling. Token and /connections
calls take no slot: Xero does not count them against the organisation; the app-wide figure
a /connections answer carries (X-AppMinLimit-Remaining) still goes to the budget. Retries
belong to the push engine, which knows whether a retry is safe.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx
from flask import current_app
from redis.exceptions import RedisError

from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection
from xeroapp.queue import RedisNotConfigured, get_redis
from xeroapp.xero import tokens
from xeroapp.xero.budget import DEFAULT_DAILY, Budget, NotBefore, OverBudget, Slot
from xeroapp.xero.errors import (ElementErrors, NotConnected, NotFound, QueryTooLong, RateLimited,
                                 ReconnectRequired, TransportError, Unavailable, ValidationError,
                                 XeroError)
from xeroapp.xero.http import api_url, http_client

log = logging.getLogger(__name__)

ACCOUNTING = "/api.xro/2.0"
# The longest URL we send, whole (https://api.xero.com/api.xro/2.0/Contacts?where=...), as
# sent (percent-encoded). Xero's servers refuse a query string over 2,048 characters with a
# 404 (github.com/XeroAPI/xero-node/issues/404, github.com/XeroAPI/Xero-Java/issues/328,
# github.com/XeroAPI/Xero-NetStandard/issues/471: "a total URL length of >2091"); lookups are
# split to stay under this, ~90 characters short of that.
MAX_URL_LENGTH = 2000
DEFAULT_RETRY_AFTER = 60.0
_BUDGET_KEY = "xeroapp.xero_budget"


class XeroClient:
    """Calls Xero on behalf of one stored connection (one workspace, one organisation).
    ``bulk=True`` for a bulk push's calls: they leave the last calls of the app's minute to
    people's pushes and reads (budget.Budget.try_acquire)."""

    def __init__(self, connection_id: int | None, tenant_id: str | None, *,
                 access_token: str | None = None, http: httpx.Client | None = None,
                 bulk: bool = False) -> None:
        self.connection_id = connection_id
        self.tenant_id = tenant_id
        self.bulk = bulk
        self._access_token = access_token
        self._http = http

    @classmethod
    def with_token(cls, access_token: str, tenant_id: str | None = None) -> XeroClient:
        """A client for a token set not stored yet (the connect callback, before the user has
        picked an organisation): no refresh, and nothing stored is marked on failure."""
        return cls(None, tenant_id, access_token=access_token)

    @classmethod
    def for_workspace(cls, workspace_id: int) -> XeroClient:
        connection = XeroConnection.usable_for(workspace_id)
        if connection is None:
            raise NotConnected("Xero is not connected.")
        return cls(connection.id, connection.tenant_id)

    # -- the Accounting API ---------------------------------------------------------------
    def accounting(self, method: str, resource: str, *, params: dict | None = None,
                   json: Any = None, idempotency_key: str | None = None,
                   if_modified_since: str | None = None) -> dict:
        """``method`` /api.xro/2.0/<resource> in this organisation; the JSON body.
        ``if_modified_since``: only objects changed after it (a GET list; UTC, ISO 8601)."""
        headers = {"xero-tenant-id": self.tenant_id, "Accept": "application/json"}
        if if_modified_since:
            headers["If-Modified-Since"] = if_modified_since
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        path = f"{ACCOUNTING}/{resource.lstrip('/')}"
        length = len(str(httpx.URL(api_url(path), params=params)))
        if length > MAX_URL_LENGTH:
            raise QueryTooLong(f"the search would be a URL of {length} characters, more than "
                               "Xero's servers take.")
        try:
            response = self.request(method, path, params=params, json=json, headers=headers,
                                    budgeted=True)
        except NotFound as exc:
            if method.upper() == "GET" and params and "/" not in resource.strip("/"):
                raise QueryTooLong(f"Xero's servers refused the search as too long (HTTP 404 for "
                                   f"a URL of {length} characters).", status=exc.status,
                                   body=exc.body) from None
            raise
        return response.json() if response.content else {}

    def room(self, resource: str, name: str, params: dict | None = None) -> int:
        """Characters left, encoded, for the value of query parameter ``name`` in a GET of
        ``resource`` (with ``params`` besides) before its URL reaches MAX_URL_LENGTH."""
        url = httpx.URL(api_url(f"{ACCOUNTING}/{resource.lstrip('/')}"),
                        params={**(params or {}), name: ""})
        return MAX_URL_LENGTH - len(str(url))

    def minute_left(self) -> int | None:
        """Calls this organisation may still make this minute (budget.Budget.minute_left);
        None when it cannot be told (no Redis configured, or Redis down)."""
        budget = _budget()
        if budget is None or not self.tenant_id:
            return None
        try:
            return budget.minute_left(self.tenant_id)
        except RedisError:
            return None

    def organisation(self) -> dict:
        """Organisations[0] of GET /Organisation (Name, ShortCode, OrganisationID ...)."""
        organisations = self.accounting("GET", "Organisation").get("Organisations") or []
        if not organisations:
            raise NotFound("Xero returned no organisation.")
        return organisations[0]

    # -- /connections (no tenant header) --------------------------------------------------
    def connections(self) -> list[dict]:
        return self.request("GET", "/connections").json()

    def delete_connection(self, connection_id: str) -> None:
        """DELETE /connections/{id}: takes the *connection* id, not the tenant id
        (xero-identity.yaml, ``/Connections/{id}``); a tenant id there is a 404."""
        self.request("DELETE", f"/connections/{connection_id}")

    # -- transport ------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with a fresh token; on a 401, refresh once and resend; raise typed errors.
        ``budgeted=True`` (Accounting API calls) counts each send against the budget."""
        if self.connection_id is None:
            response = self._send(method, path, self._access_token or "", **kwargs)
            if response.is_success:
                return response
            raise self._error(response)
        token = tokens.access_token_for(self.connection_id)
        response = self._send(method, path, token, **kwargs)
        if response.status_code == 401 and _detail(response) != "AuthorizationUnsuccessful":
            token = tokens.access_token_for(self.connection_id, rejected=token)
            response = self._send(method, path, token, **kwargs)
        if response.is_success:
            return response
        raise self._error(response)

    def _send(self, method: str, path: str, token: str, *, headers: dict | None = None,
              budgeted: bool = False, **kwargs: Any) -> httpx.Response:
        if not budgeted or not self.tenant_id:
            response = self._send_now(method, path, token, headers=headers, **kwargs)
            _tell_app(_budget(), response)
            return response
        budget, daily = _budget(), self._daily_limit()
        slot = _take(budget, self.tenant_id, daily, bulk=self.bulk)
        try:
            response = self._send_now(method, path, token, headers=headers, **kwargs)
        finally:
            _give_back(budget, slot)
        _tell(budget, self.tenant_id, response, daily)
        return response

    def _daily_limit(self) -> int:
        if self.connection_id is None:
            return DEFAULT_DAILY
        connection = db.session.get(XeroConnection, self.connection_id)
        return connection.daily_call_limit if connection is not None else DEFAULT_DAILY

    def _send_now(self, method: str, path: str, token: str, *, headers: dict | None = None,
                  **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        try:
            if self._http is not None:
                return self._http.request(method, api_url(path), headers=headers, **kwargs)
            with http_client() as http:
                return http.request(method, api_url(path), headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransportError("Xero did not answer in time; the change may or may not have "
                                 "been saved.") from exc
        except httpx.TransportError as exc:
            log.warning("%s %s: %s", method, path, exc.__class__.__name__)
            raise TransportError.from_httpx(exc) from exc

    def _error(self, response: httpx.Response) -> XeroError:
        status, body = response.status_code, _json(response)
        if status == 400:
            return _validation_error(body, status)
        if status in (401, 403):
            detail = _detail(response) or "AuthenticationUnsuccessful"
            reason = ("Xero refused access to the organisation; it may have been disconnected "
                      f"in Xero ({detail}).")
            if detail == "AuthorizationUnsuccessful":
                reason = "Xero says the app lacks a permission it needs; reconnect to grant it."
            if self.connection_id is not None:
                tokens.mark_needs_reconnect(self.connection_id, reason)
            return ReconnectRequired("Xero needs reconnecting: " + reason, status=status, body=body)
        if status == 404:
            return NotFound("Not found in Xero.", status=status, body=body)
        if status == 429:
            return RateLimited(
                "Xero's rate limit was reached.", status=status, body=body,
                retry_after=_seconds(response.headers.get("Retry-After")),
                problem=response.headers.get("X-Rate-Limit-Problem"))
        if status >= 500:
            text = response.text.strip()[:200] if body is None else _message(body)
            return Unavailable(f"Xero is unavailable right now ({status}{': ' + text if text else ''}).",
                               status=status, body=body if body is not None else response.text)
        return XeroError(f"Xero answered {status}: {_message(body)}", status=status, body=body)


def _budget() -> Budget | None:
    """The app's Budget on its Redis (one per app); None without Redis configured."""
    budget = current_app.extensions.get(_BUDGET_KEY)
    if budget is None:
        try:
            scale = float(current_app.config.get("XERO_TIME_SCALE", 1.0))
            budget = Budget.scaled(get_redis(), scale,
                                   app_id=current_app.config.get("XERO_CLIENT_ID") or "app")
        except RedisNotConfigured:
            return None
        current_app.extensions[_BUDGET_KEY] = budget
    return budget


def call_opens_in(tenant_id: str, daily: int = DEFAULT_DAILY, *,
                  bulk: bool = False) -> NotBefore | None:
    """When the organisation's next call (a bulk one if ``bulk``) could start
    (budget.Budget.opens_in); None if it could now, or if the budget cannot be asked (no
    Redis configured, or Redis down: the call itself then goes ahead uncounted, see
    ``_take``)."""
    budget = _budget()
    if budget is None:
        return None
    try:
        return budget.opens_in(tenant_id, daily, bulk=bulk)
    except RedisError:
        return None


def _take(budget: Budget | None, tenant_id: str, daily: int, *, bulk: bool = False) -> Slot | None:
    """A budget slot for one call, or OverBudget. If Redis itself is down the call goes ahead
    uncounted: Xero still enforces its limits (a 429, which the push engine waits out), and a
    push must not fail only because our bookkeeping is unreachable."""
    if budget is None:
        return None
    try:
        answer = budget.acquire(tenant_id, daily, bulk=bulk)
    except RedisError:
        log.warning("Xero call budget unavailable (Redis); calling uncounted")
        return None
    if isinstance(answer, NotBefore):
        raise OverBudget(answer)
    return answer


def _give_back(budget: Budget | None, slot: Slot | None) -> None:
    if budget is None or slot is None:
        return
    try:
        budget.release(slot)
    except RedisError:  # the slot's lease expires it
        log.warning("could not release a Xero call slot (Redis)")


def _tell(budget: Budget | None, tenant_id: str, response: httpx.Response, daily: int) -> None:
    """Pass Xero's remaining-call figures on to every other process."""
    if budget is None:
        return
    try:
        budget.heard(tenant_id, response.headers, daily)
    except RedisError:
        log.warning("could not record Xero's rate-limit headers (Redis)")


def _tell_app(budget: Budget | None, response: httpx.Response) -> None:
    """Pass the app-wide figure of a call outside any organisation (/connections) on."""
    if budget is None:
        return
    try:
        budget.heard_app(response.headers)
    except RedisError:
        log.warning("could not record Xero's app-wide rate-limit header (Redis)")


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(response: httpx.Response) -> str | None:
    """The first word of a problem's Detail ("TokenExpired: token expired at ...")."""
    body = _json(response)
    if not isinstance(body, dict):
        return None
    detail = body.get("Detail") or body.get("detail") or ""
    return detail.split(":")[0].strip() or None


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("Message") or body.get("Detail") or body.get("Title") or body)
    return "" if body is None else str(body)


def _seconds(value: str | None) -> float:
    try:
        return max(float(value), 0.0) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _validation_error(body: Any, status: int) -> ValidationError:
    """Every element's ValidationErrors, not just the first: the person sees all that Xero
    refused, not one message at a time."""
    elements: list[ElementErrors] = []
    if isinstance(body, dict):
        for index, element in enumerate(body.get("Elements") or []):
            messages = [e.get("Message", "") for e in element.get("ValidationErrors") or []]
            if messages:
                elements.append(ElementErrors(index, messages, element))
    message = "; ".join(m for e in elements for m in e.messages) or _message(body)
    return ValidationError(message or "Xero rejected the request.", elements, status=status, body=body)
