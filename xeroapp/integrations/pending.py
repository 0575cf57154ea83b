"""An authorisation waiting for the user's choice (organisation picker, switch confirmation).

Between the callback and the choice we hold a live token set. It must not go to the browser
(Flask's session is a signed, readable cookie), so it waits in Redis, encrypted with the
token key, for ten minutes; the session only carries a random handle to it.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field

from flask import session
from flask_login import current_user

from xeroapp import crypto
from xeroapp.queue import get_redis

TTL_SECONDS = 600
SESSION_KEY = "xero_pending"


@dataclass
class PendingAuthorisation:
    token: dict
    # The connections granted in THIS authorisation (granted.py), offered by the picker.
    connections: list[dict]
    user_id: int
    workspace_id: int
    chosen_tenant_id: str | None = None
    extra: dict = field(default_factory=dict)

    def connection_for(self, tenant_id: str | None) -> dict | None:
        return next((c for c in self.connections if c["tenantId"] == tenant_id), None)


def _key(handle: str) -> str:
    return f"xero:pending:{handle}"


def save(pending: PendingAuthorisation) -> None:
    handle = session.get(SESSION_KEY) or secrets.token_urlsafe(24)
    payload = crypto.encrypt(json.dumps(asdict(pending)))
    get_redis().set(_key(handle), payload, ex=TTL_SECONDS)
    session[SESSION_KEY] = handle


def load() -> PendingAuthorisation | None:
    """This user's pending authorisation, if any and not expired."""
    handle = session.get(SESSION_KEY)
    if not handle:
        return None
    raw = get_redis().get(_key(handle))
    if raw is None:
        return None
    pending = PendingAuthorisation(**json.loads(crypto.decrypt(raw.decode())))
    if pending.user_id != current_user.id or pending.workspace_id != current_user.workspace_id:
        return None
    return pending


def discard() -> None:
    handle = session.pop(SESSION_KEY, None)
    if handle:
        get_redis().delete(_key(handle))
