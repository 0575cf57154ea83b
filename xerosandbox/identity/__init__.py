"""Xero's identity service and login: authorize page, token, revocation, discovery,
connections; and the Bearer/tenant checks of the Accounting API.

Modules: apps / users (who), scopes (what), keys (RS256 key + JWKS), grants / codes /
tokens (issuing and rotating), connections (tenants + /connections), authorize (consent
page), token_endpoint, discovery, userinfo, guard (API checks), control (/_sandbox/),
switches (behaviours a test can choose where reports of real Xero differ).
"""
from __future__ import annotations

from flask import Flask

from . import apps, keys, users
from .guard import authenticate_api_request, check_scope
from .schema import SCHEMA

__all__ = ["SCHEMA", "seed", "init_app", "authenticate_api_request", "check_scope"]


def seed(sb) -> None:
    """Registered apps, the demo user and the signing key."""
    now = sb.clock.now()
    with sb.store.transaction():
        apps.seed(sb.store, now)
        users.seed(sb.store)
        keys.ensure(sb.store, now)


def init_app(app: Flask) -> None:
    """Register identity's blueprint. The route modules attach their views on import, and
    control's routes go on the core control blueprint before the app registers it."""
    from . import authorize, connections, control, discovery, token_endpoint, userinfo  # noqa: F401
    from .blueprint import bp
    _seed_if_missing(app.extensions["xerosandbox"])
    app.register_blueprint(bp)


def _seed_if_missing(sb) -> None:
    """A database created before identity had tables is never re-seeded by the core (it
    seeds only when there are no organisations); give it the app, user and key it lacks."""
    if sb.store.one("SELECT 1 FROM identity_signing_keys") is None:
        seed(sb)
