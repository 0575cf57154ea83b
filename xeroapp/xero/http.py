"""The httpx client every call to Xero goes through.

Tests (and benchmarks) swap the network for something else by putting an httpx transport in
``app.config["XERO_HTTP_TRANSPORT"]``, e.g. ``httpx.WSGITransport(app=xerosandbox_app)``:
the code under test stays exactly what runs in production.
"""
from __future__ import annotations

import functools
import ssl

import certifi
import httpx
from flask import current_app

# Xero answers in well under a second; a minute-long hang means the call is lost, and the
# caller must treat it as "maybe applied" (TransportError), not wait forever.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One per process. Reading the CA bundle takes ~15 ms of CPU, which httpx spends on
    every new Client unless handed a context: in a bulk batch that was a sixth of the
    worker's work. A work horse inherits the one its worker built before forking."""
    return ssl.create_default_context(cafile=certifi.where())


def http_client() -> httpx.Client:
    transport = current_app.config.get("XERO_HTTP_TRANSPORT")
    return httpx.Client(transport=transport, timeout=TIMEOUT, verify=tls_context())


def identity_url(path: str) -> str:
    return current_app.config["XERO_IDENTITY_URL"] + path


def api_url(path: str) -> str:
    return current_app.config["XERO_API_URL"] + path


def client_credentials() -> tuple[str, str]:
    return current_app.config["XERO_CLIENT_ID"], current_app.config["XERO_CLIENT_SECRET"]
