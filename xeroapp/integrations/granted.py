"""Which organisations the user has just granted at Xero: the connections of this consent.

``GET /connections`` lists every organisation this Xero user has ever connected to our app,
in no promised order; taking the first is how apps end up writing to the wrong organisation.
We pick, in this order, the first rule that finds something:

1. ``event``: connections whose ``authEventId`` is the new access token's
   ``authentication_event_id``. Xero's spec says the id is "shared across connections
   authorised at the same time", so these are the ones just ticked; with them, any
   organisation connected before and reconnected at that same moment (ticked again in the
   same consent, and still carrying its old id, see 2).
2. Re-consent may not move it: an integrator reports that "auth event id doesn't change if you
   reconnect" (github.com/XeroAPI/xero-php-oauth2/issues/18), and a reconnect is the only way
   back after a lost grant. Then ``updatedDateUtc`` ("the date when the user most recently
   connected this tenant to your app", the field xero-node orders its tenants by) tells the
   consent apart:
   - ``own``: the workspace's own organisation, when listed, unless another organisation
     was just connected and this one was not (the user chose another one);
   - ``recent``: the organisations connected in the minutes before this token was issued.
3. ``all``: nothing says which; every listed organisation, most recently connected first,
   for the user to choose from in the picker (a single one is simply taken: it is the only
   organisation the user can have ticked).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# A consent's organisations are connected when the user presses Allow; the token is issued
# when we exchange the code, at most the code's 5-minute life later (plus some clock slack).
CONSENT_WINDOW = timedelta(minutes=10)
# The organisations of one consent are stamped together; another consent by the same user
# (another workspace of the same bookkeeper) is minutes apart, not seconds.
SAME_MOMENT = timedelta(seconds=5)


@dataclass(frozen=True)
class Granted:
    connections: list[dict]
    rule: str  # "event", "own", "recent" or "all" (see the module docstring)

    @property
    def certain(self) -> bool:
        """False when Xero did not say which organisations were ticked just now."""
        return self.rule != "all"


def of_this_consent(listed: list[dict], claims: dict, own_tenant_id: str | None) -> Granted:
    """The connections of this consent among ``listed``; ``claims`` are the new access
    token's, ``own_tenant_id`` the organisation the workspace is connected to, if any."""
    event = claims.get("authentication_event_id")
    by_event = [c for c in listed if event and c.get("authEventId") == event]
    if by_event:
        stamped = max(_updated(c) for c in by_event)
        together = [c for c in listed if c in by_event or (
            _reconnected(c) and abs(_updated(c) - stamped) <= SAME_MOMENT)]
        return Granted(together, "event")
    recent = _connected_just_before(listed, claims.get("nbf") or claims.get("iat"))
    own = [c for c in listed if own_tenant_id and c.get("tenantId") == own_tenant_id]
    if own and (not recent or own[0] in recent):
        return Granted(own, "own")
    if recent:
        return Granted(recent, "recent")
    return Granted(sorted(listed, key=_updated, reverse=True), "all")


def _connected_just_before(listed: list[dict], issued: int | float | None) -> list[dict]:
    if not isinstance(issued, (int, float)):
        return []
    token_time = datetime.fromtimestamp(issued, tz=timezone.utc)
    return [c for c in listed
            if token_time - CONSENT_WINDOW <= _updated(c) <= token_time + CONSENT_WINDOW]


def _reconnected(connection: dict) -> bool:
    """Connected before this consent: the spec says updatedDateUtc "may differ to the created
    date if the user has disconnected and subsequently reconnected this tenant"."""
    return _date(connection, "createdDateUtc") != _date(connection, "updatedDateUtc")


def _updated(connection: dict) -> datetime:
    return _date(connection, "updatedDateUtc")


def _date(connection: dict, field: str) -> datetime:
    """A connection date (UTC without a zone, e.g. 2019-12-07T18:46:19.5187840); the oldest
    possible time when missing or unreadable, so such a connection is never "recent"."""
    try:
        value = datetime.fromisoformat(str(connection.get(field)))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
