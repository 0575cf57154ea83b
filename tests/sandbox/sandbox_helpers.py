"""Helpers for the sandbox's tests: a spec-checking test client, a real server on a free
port, and token minting through ``POST /_sandbox/tokens``.

Import them in test modules
(``from tests.sandbox.sandbox_helpers import minted_token, auth_headers``);
the fixtures in conftest.py build on them.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

import xerosandbox
from tests.sandbox.spec_validation import Exchange, check, problems
from xerosandbox.orgs import DEMO_TENANT_ID

Client = FlaskClient | str  # a test client, or the base URL of a live sandbox

# GET /Organisation: the cheapest Accounting call, so the traffic tests (limits, faults) spend
# and probe an organisation's budget with it.
ORG = "/api.xro/2.0/Organisation"


class SpecCheckingClient(FlaskClient):
    """A Flask test client that holds every response to Xero's documents (spec_validation).

    ``client.raw`` is an unchecked client on the same app, for the few tests that
    deliberately provoke something Xero's documents do not describe; use it visibly, at
    the call that needs it, never as the default.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw = FlaskClient(self.application, self.response_wrapper, use_cookies=True)

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        response = super().open(*args, **kwargs)
        request = response.request
        check(Exchange(method=request.method, path=request.path,
                       query=request.query_string.decode("latin-1"), status=response.status_code,
                       headers=dict(response.headers), body=response.get_data()))
        return response


class SpecCheckingMiddleware:
    """WSGI middleware for the live server: records (does not raise) every response that
    breaks the spec, because the caller there is the SDK, which would hide the message;
    the ``fresh_sandbox`` fixture fails the test with the recorded problems."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            captured.update(status=int(status.split()[0]), headers=dict(headers))
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        exchange = Exchange(method=environ["REQUEST_METHOD"], path=environ.get("PATH_INFO", ""),
                            query=environ.get("QUERY_STRING", ""), status=captured["status"],
                            headers=captured["headers"], body=body)
        try:
            found = problems(exchange)
        except Exception as exc:  # a bug in the checker must not look like a sandbox bug
            found = [f"{exchange.label()}: spec check crashed: {exc!r}"]
        if found:
            with self._lock:
                self.violations.extend(found)
        return [body]

    def take(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found


class LiveSandbox(str):
    """The base URL of a running sandbox (``http://127.0.0.1:PORT``), which is what tests
    mostly need, plus the app and the spec recorder behind it."""

    app: Flask
    checker: SpecCheckingMiddleware
    server: BaseWSGIServer

    def url(self, path: str) -> str:
        return f"{self}{path}"


def start_live_sandbox() -> LiveSandbox:
    """A fresh in-memory sandbox with control on, served by a threaded werkzeug server on a
    free port in a daemon thread. Stop it with ``stop_live_sandbox``."""
    app = xerosandbox.create_app(None, control=True)
    checker = SpecCheckingMiddleware(app.wsgi_app)
    app.wsgi_app = checker  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-sandbox", daemon=True)
    thread.start()
    live = LiveSandbox(f"http://127.0.0.1:{server.port}")
    live.app, live.checker, live.server = app, checker, server
    return live


def stop_live_sandbox(live: LiveSandbox) -> None:
    live.server.shutdown()
    live.server.server_close()


def control(target: Client, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST to ``/_sandbox/<path>`` (reset, clock, faults ...) and return the JSON answer."""
    return _post_json(target, f"/_sandbox/{path}", body or {})


def minted_token(target: Client, *, client_id: str | None = None, user: str | None = None,
                 tenants: list[str] | None = None, scopes: str | None = None) -> dict[str, Any]:
    """A consented grant, minted by ``POST /_sandbox/tokens``: Xero's token response
    (access_token, refresh_token, expires_in, token_type, scope, id_token) plus
    ``connections`` as GET /connections lists them. Unset arguments take the sandbox's
    defaults (sandbox-app, demo user, the Demo Company, the default scopes)."""
    body = {key: value for key, value in (("client_id", client_id), ("user", user),
                                          ("tenants", tenants), ("scopes", scopes))
            if value is not None}
    return _post_json(target, "/_sandbox/tokens", body)


def auth_headers(token: dict[str, Any] | str, tenant_id: str | None = DEMO_TENANT_ID) -> dict[str, str]:
    """The headers of an Accounting API call: Bearer token and, unless None, xero-tenant-id."""
    access = token if isinstance(token, str) else token["access_token"]
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
    if tenant_id is not None:
        headers["xero-tenant-id"] = tenant_id
    return headers


def call_org(client: FlaskClient, token: dict[str, Any] | str,
             tenant_id: str | None = DEMO_TENANT_ID):
    """One ``GET /Organisation`` for ``tenant_id``, through the test client."""
    return client.get(ORG, headers=auth_headers(token, tenant_id))


def _post_json(target: Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    if isinstance(target, str):
        response = requests.post(f"{target}{path}", json=body, timeout=30)
        status, text = response.status_code, response.text
        payload = response.json() if status == 200 else None
    else:
        reply = target.post(path, json=body)
        status, text = reply.status_code, reply.get_data(as_text=True)
        payload = reply.get_json() if status == 200 else None
    assert status == 200, f"POST {path} answered {status}: {text[:300]}"
    return payload
