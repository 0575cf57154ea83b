"""Identity's ``/_sandbox/`` routes (on the core control blueprint, so they are 404 unless
the control API is on).

``POST /_sandbox/tokens``: mint a grant, its token set and connections as if the user had
consented in the browser. Scopes are exactly those asked for (the browser flow's additive
consent history is not consulted), so a test can mint a deliberately narrow token.
``POST /_sandbox/apps``: register an app with exact redirect URIs, as at Xero.
``GET|POST /_sandbox/identity``: read or set the identity switches (switches.py), e.g.
``{"keep_auth_event_on_reconsent": true}``.
"""
from __future__ import annotations

import uuid

from flask import request

from ..control import bp
from ..errors import json_response
from ..orgs import DEMO_TENANT_ID
from ..state import sandbox
from ..store import Store
from . import apps, connections, grants, scopes, switches, tokens, users
from .discovery import issuer

DEFAULT_SCOPES = ("openid profile email offline_access accounting.contacts accounting.settings "
                  "accounting.invoices accounting.transactions")


def _bad(message: str):
    return json_response({"error": message}, 400)


def _known_tenants(store: Store, tenant_ids: list[str]) -> bool:
    rows = store.all("SELECT tenant_id FROM organisations")
    return set(tenant_ids) <= {r["tenant_id"] for r in rows}


@bp.post("/tokens")
def mint_tokens():
    body = request.get_json(silent=True) or {}
    sb = sandbox()
    app = apps.get(sb.store, body.get("client_id", apps.SANDBOX_CLIENT_ID))
    user = users.find(sb.store, str(body.get("user", users.DEMO_USERNAME)))
    tenants = body.get("tenants", [DEMO_TENANT_ID])
    requested = scopes.parse(body.get("scopes", DEFAULT_SCOPES))
    if app is None:
        return _bad("unknown client_id")
    if user is None:
        return _bad("unknown user")
    if not isinstance(tenants, list) or not _known_tenants(sb.store, tenants):
        return _bad("tenants must be a list of existing organisation ids")
    if not requested or scopes.unknown(requested):
        return _bad(f"unknown scopes: {scopes.unknown(requested)}")
    if app.granular_only and scopes.BROAD.intersection(requested):
        return _bad("Invalid scope for client: this app may only ask for granular scopes")
    now, event = sb.clock.now(), str(uuid.uuid4())
    with sb.store.transaction():
        connections.connect(sb.store, now, user_id=user["user_id"], client_id=app.client_id,
                            tenant_ids=tenants, auth_event_id=event,
                            keep_existing_event=switches.keeps_auth_event_on_reconsent(sb))
        grant = grants.create(sb.store, now, user_id=user["user_id"], client_id=app.client_id,
                              scopes=requested, auth_event_id=event)
        token_set = tokens.issue(sb.store, now, grant, issuer())
        token_set["connections"] = connections.listing(sb.store, user["user_id"], app.client_id)
    return json_response(token_set)


@bp.post("/apps")
def register_app():
    body = request.get_json(silent=True) or {}
    client_id, uris = body.get("client_id"), body.get("redirect_uris", [])
    if not client_id or not isinstance(client_id, str):
        return _bad("client_id is required")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        return _bad("redirect_uris must be a list of exact URIs")
    sb = sandbox()
    app = apps.register(sb.store, sb.clock.now(), client_id=client_id,
                        client_secret=body.get("client_secret") or None,
                        name=body.get("name") or client_id, redirect_uris=uris,
                        granular_only=bool(body.get("granular_only", False)))
    return json_response({"client_id": app.client_id, "client_secret": app.client_secret,
                          "name": app.name, "redirect_uris": list(app.redirect_uris),
                          "granular_only": app.granular_only, "public": app.is_public}, 201)


@bp.route("/identity", methods=["GET", "POST"])
def identity_switches():
    sb = sandbox()
    if request.method == "GET":
        return json_response(switches.current(sb))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body or set(body) - set(switches.SWITCHES):
        return _bad(f"send one or more of {sorted(switches.SWITCHES)}")
    if not all(isinstance(value, bool) for value in body.values()):
        return _bad("each switch is true or false")
    return json_response(switches.update(sb, body))
