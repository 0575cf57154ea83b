"""Fixtures for the sandbox's own tests.

- ``sandbox_app``: an in-memory sandbox with its control API on; its ``test_client()``
  checks every response against Xero's OpenAPI documents (spec_validation.py).
- ``client``: that checking client. ``client.raw`` skips the check, for tests that
  deliberately send what Xero's documents do not cover.
- ``live_sandbox`` (session): the same sandbox behind a real threaded server; its value is
  the base URL. ``fresh_sandbox`` resets it before a test and fails the test if any
  response during it broke the spec.
- ``headers``: Accounting API headers for a fresh grant to the Demo Company.
- ``token``: a fresh grant to both seeded organisations (Demo Company and the second one).
- Helpers (import from tests.sandbox.sandbox_helpers): ``minted_token``, ``auth_headers``,
  ``control``, ``call_org`` (GET /Organisation, the call the traffic tests spend).
"""
from __future__ import annotations

import pytest
from flask import Flask

import xerosandbox
from tests.sandbox.sandbox_helpers import (LiveSandbox, SpecCheckingClient, auth_headers, control,
                                           minted_token, start_live_sandbox, stop_live_sandbox)
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID


@pytest.fixture(autouse=True)
def _every_test_client_checks_the_spec(monkeypatch):
    """Tests that build their own app (a file-backed sandbox, a different time scale) still
    get a checking client from ``app.test_client()``: every response in the suite is held
    to the spec, not only the ones that went through ``client``."""
    monkeypatch.setattr(Flask, "test_client_class", SpecCheckingClient)


@pytest.fixture
def sandbox_app():
    return xerosandbox.create_app(None, control=True)


@pytest.fixture
def client(sandbox_app) -> SpecCheckingClient:
    return sandbox_app.test_client()


@pytest.fixture
def headers(client) -> dict[str, str]:
    return auth_headers(minted_token(client))


@pytest.fixture
def token(client) -> dict:
    return minted_token(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])


@pytest.fixture(scope="session")
def live_sandbox():
    live = start_live_sandbox()
    yield live
    stop_live_sandbox(live)


@pytest.fixture
def fresh_sandbox(live_sandbox: LiveSandbox):
    """The live sandbox, reset to its seeded state; fails the test if any response the
    server sent during it does not conform to Xero's documents."""
    control(live_sandbox, "reset")
    live_sandbox.checker.take()
    yield live_sandbox
    violations = live_sandbox.checker.take()
    if violations:
        pytest.fail("the live sandbox answered outside Xero's spec:\n  " + "\n  ".join(violations),
                    pytrace=False)
