"""Logins that the server can end, and that end by themselves.

Flask's session is a signed cookie of which the server keeps no copy, so on its own a copied
cookie keeps working after the original logged out. Each login therefore has a row
(models.LoginSession) and the cookie carries a random token naming it; the user loader
(xeroapp/access.py) accepts a session only while its row exists. That gives:

- Log out: this browser's row goes, so every copy of its cookie stops working, while the
  person's other browsers stay logged in (a per-user version number would end them all).
- Log out everywhere: all of the user's rows go.
- A password change: all rows go and this browser gets a new login, so the person stays
  logged in here while every other browser, and every copy of this cookie, is logged out.
- Lifetimes: a login ends SESSION_ABSOLUTE_LIFETIME after it started (the row's time), and
  after SESSION_IDLE_LIFETIME without a request (the time of the last request, kept in the
  signed cookie, so that reading a page never writes to the database).

Logging in and out also empties the session, so nothing of a previous user or an earlier
visit survives into the next login: an OAuth attempt, a pending Xero authorisation, the CSRF
secret (a token from a page seen before logging in is refused after it).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, session
from flask_login import login_user, logout_user

from xeroapp.extensions import db
from xeroapp.models.login_sessions import LoginSession
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import User

TOKEN_KEY = "login"
SEEN_KEY = "login_seen"  # seconds since the epoch of the last request, to the minute
# The last-request time is re-stamped at most this often, so the cookie is not sent back on
# every response; an idle login may therefore end up to this much before its idle lifetime.
STAMP_EVERY = 60
ENDED = "Your session has ended. Please log in again."


def log_in(user: User) -> None:
    """Start a new login for ``user`` in this browser, in an emptied session."""
    _end_this_login()  # one this browser held before, if its row is still there
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.created_at <= now - _absolute()))
    db.session.add(LoginSession(id=_digest(token), user_id=user.id, created_at=now))
    db.session.commit()
    session[TOKEN_KEY] = token
    session[SEEN_KEY] = int(now.timestamp())
    login_user(user)


def log_out() -> None:
    """End this browser's login, in this browser and in every copy of its cookie."""
    _end_this_login()
    _forget_browser()


def log_out_everywhere(user: User) -> None:
    _delete(LoginSession.user_id == user.id)
    _forget_browser()


def renew(user: User) -> None:
    """End every login of ``user``, then log this browser in again (after a password change:
    whoever holds the old password, or a copy of this browser's cookie, is out)."""
    _delete(LoginSession.user_id == user.id)
    log_in(user)


def current_id() -> str | None:
    """The id of this browser's login (to tie something to this very login)."""
    token = session.get(TOKEN_KEY)
    return _digest(token) if isinstance(token, str) else None


def is_live(user: User) -> bool:
    """Whether this request's session is a current login of ``user``."""
    login_id, seen = current_id(), session.get(SEEN_KEY)
    if login_id is None or not isinstance(seen, int):
        return False
    row = db.session.get(LoginSession, login_id)
    if row is None or row.user_id != user.id:
        return False
    now = utcnow()
    idle = now.timestamp() - seen
    if now - row.created_at >= _absolute() or idle >= _idle_seconds():
        return False
    if idle >= STAMP_EVERY:
        session[SEEN_KEY] = int(now.timestamp())
    return True


def end_refused() -> None:
    """The session named a login that is no longer live: empty it, and say so once."""
    had_login = TOKEN_KEY in session
    session.clear()
    if had_login:
        flash(ENDED, "info")


def _forget_browser() -> None:
    session.clear()
    logout_user()


def _end_this_login() -> None:
    login_id = current_id()
    if login_id is not None:
        _delete(LoginSession.id == login_id)


def _delete(condition: sa.ColumnElement[bool]) -> None:
    db.session.execute(sa.delete(LoginSession).where(condition))
    db.session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _absolute() -> timedelta:
    return timedelta(seconds=current_app.config["SESSION_ABSOLUTE_LIFETIME"])


def _idle_seconds() -> int:
    return current_app.config["SESSION_IDLE_LIFETIME"]
