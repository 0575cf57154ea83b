"""Who pressed Connect to Xero: each attempt belongs to the user, the workspace and the login
that started it, and only they can finish it.

Authlib keeps an attempt (its state, PKCE verifier and nonce) in the session, which is tied
to one login (login_sessions empties it at every log-in and log-out). The starter is saved
with the attempt as well, so that a callback opened by anyone else is refused before the
code is exchanged even if an attempt ever reached another person's session: the grant would
otherwise land in that person's workspace.
"""
from __future__ import annotations

from flask import redirect, session
from flask_login import current_user
from werkzeug.wrappers import Response

from xeroapp import login_sessions
from xeroapp.xero.oauth import xero_oauth

STARTED_BY = "started_by"


def redirect_to_xero(redirect_uri: str) -> Response:
    """Authlib's authorize_redirect, with this request's person saved in the attempt."""
    client = xero_oauth()
    authorization = client.create_authorization_url(redirect_uri)
    client.save_authorize_data(redirect_uri=redirect_uri, **{STARTED_BY: _starter()},
                               **authorization)
    return redirect(authorization["url"])


def started_by_another(state: str | None) -> bool:
    """Whether the attempt ``state`` names was started by another user, workspace or login;
    it is then dropped, as nobody here may finish it. An attempt this session does not hold
    is left to Authlib, which refuses it (MismatchingStateError)."""
    framework = xero_oauth().framework
    data = framework.get_state_data(session, state) if state else None
    if data is None or data.get(STARTED_BY) == _starter():
        return False
    framework.clear_state_data(session, state)
    return True


def _starter() -> dict:
    return {"user_id": current_user.id, "workspace_id": current_user.workspace_id,
            "login": login_sessions.current_id()}
