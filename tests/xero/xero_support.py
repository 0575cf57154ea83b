"""Helpers for tests that talk to the Xero sandbox: a real server on a free port, the
sandbox's control API, token minting, and a stored connection for a workspace.

Imported as ``tests.xero.xero_support`` by the Xero client's, the integrations', the push
engine's and the fuzz tests; the conftests there re-export its fixtures.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

import xerosandbox
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.xero import oauth as xero_oauth
from xeroapp.xero import reference
from xeroapp.xero.tokens import store_token_set
from xerosandbox.identity.testing import hidden_fields
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

DEMO_ORG = "Demo Company (Sandbox)"
SECOND_ORG = "Harbour Supplies Ltd (Sandbox)"
__all__ = ["DEMO_TENANT_ID", "SECOND_TENANT_ID", "DEMO_ORG", "SECOND_ORG"]


@dataclass
class LiveSandbox:
    url: str
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread


def start_live_sandbox() -> LiveSandbox:
    app = xerosandbox.create_app(None, control=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveSandbox(f"http://127.0.0.1:{server.server_port}", app, server, thread)


def stop_live_sandbox(live: LiveSandbox) -> None:
    live.server.shutdown()
    live.server.server_close()
    live.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_sandbox_server() -> Iterator[LiveSandbox]:
    live = start_live_sandbox()
    yield live
    stop_live_sandbox(live)


@pytest.fixture
def live_sandbox(live_sandbox_server: LiveSandbox) -> LiveSandbox:
    """The live sandbox, reset to its seeded state."""
    control(live_sandbox_server.url, "reset")
    return live_sandbox_server


def control(url: str, path: str, body: dict | None = None) -> Any:
    response = requests.post(f"{url}/_sandbox/{path}", json=body or {}, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


def sandbox_connections(url: str) -> list[dict]:
    """What the sandbox holds for the demo user and our app (through a fresh grant that adds
    no organisation)."""
    token = requests.post(f"{url}/_sandbox/tokens", json={"tenants": []}, timeout=10).json()
    return requests.get(f"{url}/connections", timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"}).json()


def totals(url: str) -> dict[str, int]:
    return requests.get(f"{url}/_sandbox/stats", timeout=10).json()["totals"]


def point_app_at(app: Flask, url: str) -> None:
    """Aim an app's three Xero URLs at ``url`` (and rebuild its Authlib client)."""
    app.config.update(XERO_LOGIN_URL=url, XERO_IDENTITY_URL=url, XERO_API_URL=url)
    xero_oauth.init_app(app)


def mint(url: str, tenants: list[str] | None = None) -> dict:
    """A token set as if the demo user had consented to ``tenants`` (default: Demo Company)."""
    return control(url, "tokens", {"tenants": tenants or [DEMO_TENANT_ID],
                                   "scopes": "openid profile email offline_access "
                                             "accounting.contacts accounting.settings "
                                             "accounting.invoices"})


def store_connection(app: Flask, workspace_id: int, token_set: dict,
                     tenant_id: str = DEMO_TENANT_ID) -> int:
    """What a finished connect leaves behind, written directly; returns the row id."""
    granted = next(c for c in token_set["connections"] if c["tenantId"] == tenant_id)
    with app.app_context():
        connection = XeroConnection(workspace_id=workspace_id, tenant_id=tenant_id,
                                    tenant_name=granted["tenantName"], connection_id=granted["id"],
                                    short_code="!kT7qP")
        store_token_set(connection, token_set)
        db.session.add(connection)
        db.session.commit()
        return connection.id


def read_lists(app: Flask, sandbox: Flask, workspace_id: int, tenant_id: str = DEMO_TENANT_ID) -> None:
    """Keep the organisation's currencies, tax rates and accounts as the connect callback
    does (``store_connection`` writes only the connection). Read through the sandbox's control
    API, so the organisation's call budget and the sandbox's counters stay untouched."""
    def held(kind: str, plural: str) -> list[dict]:
        return sandbox.test_client().get(f"/_sandbox/objects/{tenant_id}/{kind}").get_json()[plural]

    org = next(o for o in sandbox.test_client().get("/_sandbox/orgs").get_json()["organisations"]
               if o["tenant_id"] == tenant_id)
    found = reference.facts({"Name": org["name"], "CountryCode": org["country_code"],
                             "BaseCurrency": org["base_currency"]},
                            held("currencies", "Currencies"), held("taxrates", "TaxRates"),
                            held("accounts", "Accounts"))
    with app.app_context():
        reference.save(workspace_id, tenant_id, found)
        db.session.commit()


def expire_access_token(app: Flask, connection_id: int) -> None:
    """Make our own clock think the access token is about to expire (inside the leeway)."""
    with app.app_context():
        connection = db.session.get(XeroConnection, connection_id)
        connection.access_token_expires_at = utcnow() + timedelta(seconds=10)
        db.session.commit()


def refresh_at_sandbox(url: str, refresh_token: str) -> requests.Response:
    return requests.post(f"{url}/connect/token", auth=("sandbox-app", "sandbox-secret"),
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                         timeout=10)


def consent(authorize_url: str, *, tenants: list[str] | None = None,
            action: str = "allow") -> str:
    """What the user's browser does at Xero: open the page, tick ``tenants``, press Allow (or
    Cancel). Returns the callback URL Xero redirects to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    form = {**hidden_fields(page.text), "action": action, "email": "demo@xero.example",
            "password": "demo", "tenant": tenants or [DEMO_TENANT_ID]}
    answer = browser.post(page.url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# What a child process (a worker, a competing caller) needs to build the same app.
CHILD_SETTINGS = ("TESTING", "SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL",
                  "XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL", "XERO_CLIENT_ID",
                  "XERO_CLIENT_SECRET", "RQ_QUEUES", "PASSWORD_HASH_METHOD")


def child_settings(app: Flask) -> dict:
    """The settings of ``app`` that another process needs to reach the same database,
    Redis and sandbox (for create_app there)."""
    return {key: app.config[key] for key in CHILD_SETTINGS if key in app.config}
