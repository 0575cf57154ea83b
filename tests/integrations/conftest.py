"""Fixtures for Settings > Integrations: the app aimed at a live sandbox server, a logged-in
user, and the browser-like connect flow (our app through its test client, Xero's consent page
through a real HTTP client, as a person's browser would go between the two)."""
from __future__ import annotations


import pytest
from flask import Flask

from tests.xero.xero_support import (consent, live_sandbox, live_sandbox_server,  # noqa: F401
                                     local_path, point_app_at)


@pytest.fixture
def live_app(app: Flask, live_sandbox) -> Flask:
    point_app_at(app, live_sandbox.url)
    return app


@pytest.fixture
def user(live_app, client, auth):
    """Signed up and logged in (the workspace "Acme Ltd", user Ada Lovelace)."""
    assert auth.signup().status_code == 302
    return auth


class Connector:
    """Drives Connect to Xero the way a person does."""

    def __init__(self, client, sandbox_url: str) -> None:
        self.client, self.sandbox_url = client, sandbox_url

    def start(self) -> str:
        """Press Connect; the URL of Xero's consent page we are sent to."""
        response = self.client.post("/settings/integrations/connect")
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        assert location.startswith(f"{self.sandbox_url}/identity/connect/authorize?")
        return location

    def callback_url(self, tenants: list[str] | None = None, action: str = "allow") -> str:
        return consent(self.start(), tenants=tenants, action=action)

    def connect(self, tenants: list[str] | None = None, action: str = "allow"):
        """The whole round trip; the app's answer to the callback (not followed)."""
        return self.client.get(local_path(self.callback_url(tenants, action)))


@pytest.fixture
def connector(client, live_sandbox, live_app, user) -> Connector:
    return Connector(client, live_sandbox.url)


@pytest.fixture
def make_connector(live_sandbox, live_app):
    """``make_connector(client)``: the same for another browser (another workspace)."""
    return lambda client: Connector(client, live_sandbox.url)
