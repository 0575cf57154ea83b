"""``/identity/connect/authorize`` (login.xero.com): the login and consent page.

GET validates the request. A bad client_id or redirect_uri, or a scope the app may not ask
for, shows an error page (never a redirect to an unverified URI; Xero's troubleshooting
page: "I see a 500 error screen ... The redirect_uri doesn't match ... You've requested
an invalid scope ... Your client_id isn't correct"). Other problems redirect back with
``error``. Otherwise a plain HTML form: login prefilled for the demo user, organisations to
grant, "Allow access" / "Cancel". Works without JavaScript.

The form is protected by a token bound to a browser cookie (double submit): a pending
request can only be allowed from the browser it was shown to.
"""
from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, redirect, render_template, request

from .. import orgs
from ..orgs import DEMO_TENANT_ID
from ..state import sandbox
from ..store import dumps, loads
from . import apps, codes, connections, grants, scopes, switches, users
from .blueprint import bp

REQUEST_TTL = 60 * 60
BROWSER_COOKIE = "xerosandbox_browser"


def with_params(uri: str, params: dict[str, str | None]) -> str:
    """``uri`` with ``params`` added to its query (keeping the client's own parameters)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def error_page(error: str, description: str, status: int = 400) -> tuple[str, int]:
    return render_template("identity/error.html", error=error, description=description), status


class _Refusal(Exception):
    """A request problem answered as an error page (``redirect=False``) or a redirect."""

    def __init__(self, error: str, description: str, redirect: bool = True) -> None:
        super().__init__(description)
        self.error, self.description, self.redirect = error, description, redirect


def _validate(args: Any) -> dict[str, Any]:
    """The authorize parameters, checked in Xero's order; raises _Refusal."""
    store = sandbox().store
    app = apps.get(store, args.get("client_id"))
    if app is None:
        raise _Refusal("unauthorized_client", "Unknown client or client not enabled", False)
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_uri or not app.allows_redirect(redirect_uri):
        raise _Refusal("invalid_request", "Invalid redirect_uri", False)
    requested = scopes.parse(args.get("scope"))
    if not requested or scopes.unknown(requested):
        raise _Refusal("invalid_scope", "Invalid scope", False)
    if app.granular_only and scopes.BROAD.intersection(requested):
        raise _Refusal("unauthorized_client", "Invalid scope for client", False)
    if args.get("response_type") != "code":
        raise _Refusal("unsupported_response_type", "Only response_type=code is supported")
    challenge = args.get("code_challenge") or None
    if challenge and args.get("code_challenge_method") != "S256":
        raise _Refusal("invalid_request", "code_challenge_method must be S256")
    if challenge and not 43 <= len(challenge) <= 128:
        raise _Refusal("invalid_request", "Invalid code_challenge")
    if app.is_public and not challenge:
        raise _Refusal("invalid_request", "code challenge required")
    return {"client_id": app.client_id, "redirect_uri": redirect_uri, "scopes": requested,
            "state": args.get("state"), "nonce": args.get("nonce") or None,
            "code_challenge": challenge}


def _render(params: dict[str, Any], request_id: str, csrf: str, *, email: str, password: str,
            chosen: list[str], message: str | None = None) -> str:
    store = sandbox().store
    app = apps.get(store, params["client_id"])
    return render_template(
        "identity/authorize.html", app_name=app.name if app else params["client_id"],
        scope_lines=[(s, scopes.DESCRIPTIONS[s]) for s in params["scopes"]],
        organisations=[{"id": o["tenant_id"], "name": o["name"], "checked": o["tenant_id"] in chosen}
                       for o in orgs.all_orgs(store)],
        needs_tenant=scopes.needs_tenant(params["scopes"]),
        request_id=request_id, csrf=csrf, email=email, password=password, message=message,
        redirect_host=urlsplit(params["redirect_uri"]).netloc)


@bp.get("/identity/connect/authorize")
def authorize():
    try:
        params = _validate(request.args)
    except _Refusal as refusal:
        if not refusal.redirect:
            return error_page(refusal.error, refusal.description)
        return redirect(with_params(request.args["redirect_uri"], {
            "error": refusal.error, "error_description": refusal.description,
            "state": request.args.get("state")}))
    sb = sandbox()
    sb.store.execute("DELETE FROM identity_auth_requests WHERE expires_utc <= ?", (sb.clock.now(),))
    browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(24)
    request_id, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    sb.store.execute("INSERT INTO identity_auth_requests (request_id, browser_id, csrf, params, "
                     "expires_utc) VALUES (?,?,?,?,?)",
                     (request_id, browser, csrf, dumps(params), sb.clock.now() + REQUEST_TTL))
    html = _render(params, request_id, csrf, email=users.DEMO_EMAIL, password=users.DEMO_PASSWORD,
                   chosen=[DEMO_TENANT_ID])
    resp = Response(html, mimetype="text/html")
    resp.set_cookie(BROWSER_COOKIE, browser, httponly=True, samesite="Lax", path="/identity")
    return resp


def _pending() -> tuple[str, dict[str, Any]] | None:
    """The shown request this POST answers, if its token and browser cookie match."""
    sb = sandbox()
    request_id = request.form.get("request_id", "")
    row = sb.store.one("SELECT * FROM identity_auth_requests WHERE request_id = ?", (request_id,))
    if (row is None or row["expires_utc"] <= sb.clock.now()
            or not secrets.compare_digest(row["csrf"], request.form.get("csrf_token", ""))
            or not secrets.compare_digest(row["browser_id"], request.cookies.get(BROWSER_COOKIE, ""))):
        return None
    return request_id, loads(row["params"])


@bp.post("/identity/connect/authorize")
def decide():
    pending = _pending()
    if pending is None:
        return error_page("invalid_request",
                          "This sign-in page has expired or was not opened in this browser. "
                          "Start again from the app.")
    request_id, params = pending
    sb = sandbox()
    if request.form.get("action") != "allow":
        sb.store.execute("DELETE FROM identity_auth_requests WHERE request_id = ?", (request_id,))
        return redirect(with_params(params["redirect_uri"],
                                    {"error": "access_denied", "state": params["state"]}))
    email = request.form.get("email", "")
    user = users.check_login(sb.store, email, request.form.get("password", ""))
    chosen = _chosen_tenants(params)
    message = None
    if user is None:
        message = "Your email or password is incorrect."
    elif scopes.needs_tenant(params["scopes"]) and not chosen:
        message = "Choose at least one organisation to connect."
    if message:
        return _render(params, request_id, request.form["csrf_token"], email=email,
                       password="", chosen=chosen, message=message)
    location = _grant(params, request_id, user["user_id"], chosen)
    if location is None:
        return error_page("invalid_request", "This sign-in page was already answered.")
    return redirect(location)


def _chosen_tenants(params: dict[str, Any]) -> list[str]:
    """The ticked organisations that exist; none for a "Sign in with Xero"-only request,
    which reads no organisation data and so connects nothing."""
    if not scopes.needs_tenant(params["scopes"]):
        return []
    known = {o["tenant_id"] for o in orgs.all_orgs(sandbox().store)}
    return [t for t in dict.fromkeys(request.form.getlist("tenant")) if t in known]


def _grant(params: dict[str, Any], request_id: str, user_id: str,
           tenant_ids: list[str]) -> str | None:
    """Record the consent, connect the organisations, issue a code: the redirect URI. None
    when a concurrent submission of the same page got there first."""
    sb = sandbox()
    now, event = sb.clock.now(), str(uuid.uuid4())
    with sb.store.transaction():
        if not sb.store.execute("DELETE FROM identity_auth_requests WHERE request_id = ?",
                                (request_id,)).rowcount:
            return None
        granted = grants.consented_scopes(sb.store, user_id, params["client_id"], params["scopes"])
        connections.connect(sb.store, now, user_id=user_id, client_id=params["client_id"],
                            tenant_ids=tenant_ids, auth_event_id=event,
                            keep_existing_event=switches.keeps_auth_event_on_reconsent(sb))
        code = codes.create(sb.store, now, client_id=params["client_id"], user_id=user_id,
                            redirect_uri=params["redirect_uri"], scopes=granted,
                            nonce=params["nonce"], code_challenge=params["code_challenge"],
                            auth_event_id=event)
    return with_params(params["redirect_uri"],
                       {"code": code, "scope": scopes.join(granted), "state": params["state"]})
