"""Who may see what: login is required everywhere except views marked ``@public``, and a
record is only ever fetched within the current user's workspace.

Login is enforced in one ``before_request`` hook rather than a decorator per view, so a view
added later cannot forget it (tests/app/test_login_required.py walks the whole URL map).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, redirect, request, url_for
from flask_login import current_user

from xeroapp import login_sessions
from xeroapp.extensions import db, htmx, login_manager
from xeroapp.models import User

ViewFunc = TypeVar("ViewFunc", bound=Callable)
Model = TypeVar("Model")


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as reachable without logging in (sign-up, log-in)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    app.before_request(require_login)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user while its login is live (login_sessions): not after it was logged
    out, ended from elsewhere or outlived its lifetime; such a session is emptied."""
    user = db.session.get(User, int(user_id))
    if user is None or not login_sessions.is_live(user):
        login_sessions.end_refused()
        return None
    return user


def require_login() -> Response | None:
    if current_user.is_authenticated or _is_public_endpoint(request.endpoint):
        return None
    login_url = url_for("auth.login", next=_return_path())
    if htmx:
        # A fragment swap would put the login page inside the current page: send the browser
        # there instead. htmx follows HX-Redirect before it looks at the status code.
        return Response(status=401, headers={"HX-Redirect": login_url})
    return redirect(login_url)


def _is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True  # unknown URLs fall through to the 404 page
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def _return_path() -> str | None:
    """Where to come back to after logging in: the page, not the fragment htmx asked for."""
    if htmx and htmx.current_url:
        parts = urlsplit(htmx.current_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    elif request.method == "GET":
        path = request.full_path.rstrip("?")
    else:
        return None
    return path if is_safe_next(path) else None


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: no scheme, no host, no protocol-relative ``//`` trick."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def get_owned_or_404(model: type[Model], record_id: int) -> Model:
    """The record if it exists in the current user's workspace; 404 otherwise.

    Another workspace's record answers exactly like a missing one, so ids reveal nothing.
    """
    record = db.session.get(model, record_id)
    if record is None or record.workspace_id != current_user.workspace_id:
        abort(404)
    return record
