"""xerosandbox: a stand-in for Xero's login, identity and Accounting API.

Serves on one port the paths of Xero's three hosts (login.xero.com, identity.xero.com,
api.xero.com), holds its state in SQLite, and behaves as Xero does: same paths, JSON, errors
and limits (each module's docstring names the Xero page, spec schema or public report its
behaviour comes from). It shares no code with xeroapp.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import accounting, identity, orgs, request_filtering, request_size, traffic, webhooks
from .clock import Clock
from .state import Sandbox
from .store import Store

# Feature modules, in seeding order: each has SCHEMA (DDL), seed(sb) and init_app(app).
FEATURES = (identity, accounting, traffic, webhooks)


def create_app(db: str | os.PathLike | None = None, *, time_scale: float = 1.0,
               control: bool = False) -> Flask:
    """Build the sandbox app. ``db=None`` keeps state in memory."""
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    if db is not None:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    store = Store(str(db) if db is not None else None)
    sb = Sandbox(store=store, clock=Clock(time_scale), control_enabled=control)
    app.extensions["xerosandbox"] = sb

    store.ensure_schema(orgs.SCHEMA)
    for feature in FEATURES:
        store.ensure_schema(feature.SCHEMA)
    if not orgs.all_orgs(store):  # a new database: seed the demo world once
        reseed(sb)
    else:  # an older database gains demo organisations added since (their data on first use)
        orgs.seed(store, sb.clock.now())

    from . import api, control as control_api
    request_filtering.init_app(app)  # IIS, in front of everything on api.xero.com
    request_size.init_app(app)  # then the body's size, still before authentication
    for feature in FEATURES:
        feature.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(control_api.bp)
    return app


def reseed(sb: Sandbox) -> None:
    """Demo organisations, app, user and per-organisation reference data."""
    orgs.seed(sb.store, sb.clock.now())
    for feature in FEATURES:
        feature.seed(sb)
