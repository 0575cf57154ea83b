"""Fixtures for the Xero client's tests.

- ``sandbox``: an in-memory sandbox app (control API on). ``xero_app`` is the ``app`` fixture
  with its Xero URLs on that sandbox and httpx going through ``httpx.WSGITransport`` to it:
  the client code is exactly the production code, only the network is in-process.
- ``live_sandbox`` (from xero_support): the sandbox behind a real threaded server, for tests
  where other processes must reach it.
"""
from __future__ import annotations

import httpx
import pytest
from flask import Flask

import xerosandbox
from tests.xero.xero_support import (live_sandbox, live_sandbox_server,  # noqa: F401  (fixtures)
                                     point_app_at)

SANDBOX_URL = "http://sandbox.test"


@pytest.fixture
def sandbox() -> Flask:
    return xerosandbox.create_app(None, control=True)


@pytest.fixture
def xero_app(app: Flask, sandbox: Flask) -> Flask:
    point_app_at(app, SANDBOX_URL)
    app.config["XERO_HTTP_TRANSPORT"] = httpx.WSGITransport(app=sandbox)
    return app


@pytest.fixture
def live_app(app: Flask, live_sandbox) -> Flask:
    """``app`` on the live sandbox, for tests that start other processes (which must open the
    same database file)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///:memory:"):
        pytest.skip("needs a database every process can open")
    point_app_at(app, live_sandbox.url)
    return app
