"""Connections: which organisations (tenants) a user has connected to an app.

``GET /connections`` and ``DELETE /connections/{id}`` live on Xero's api host, take a Bearer
token and no tenant header, and carry only the ``X-AppMinLimit-Remaining`` rate header
(xero-identity.yaml, ``/Connections``; the rate headers as in
developer.xero.com/documentation/guides/oauth2/limits/).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Response, request

from .. import traffic
from ..errors import json_response
from ..state import sandbox
from ..store import Store
from . import guard
from .blueprint import bp


def connection_date(epoch: float) -> str:
    """Xero's connection dates: UTC, no zone designator, 7 fractional digits."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def connect(store: Store, now: float, *, user_id: str, client_id: str, tenant_ids: list[str],
            auth_event_id: str, keep_existing_event: bool = False) -> None:
    """One connection per user+app+tenant. Reconnecting (still connected, or connected
    before and since disconnected) keeps its id and creation date and moves
    ``updatedDateUtc`` to this consent (the spec's Connection.updatedDateUtc: "the date when
    the user most recently connected this tenant to your app"), and ``authEventId`` too
    unless ``keep_existing_event`` (switches.py): then a connection that is still connected
    keeps the event id of the consent that first made it. Call inside a transaction."""
    for tenant_id in tenant_ids:
        key = (user_id, client_id, tenant_id)
        past = store.one("SELECT id, created_utc FROM identity_past_connections WHERE user_id = ? "
                         "AND client_id = ? AND tenant_id = ?", key)
        conn_id, created = (past["id"], past["created_utc"]) if past else (str(uuid.uuid4()), now)
        store.execute("DELETE FROM identity_past_connections WHERE user_id = ? AND client_id = ? "
                      "AND tenant_id = ?", key)
        store.execute(
            "INSERT INTO identity_connections (id, user_id, client_id, tenant_id, auth_event_id, "
            "created_utc, updated_utc) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT (user_id, client_id, tenant_id) DO UPDATE SET "
            "auth_event_id = CASE WHEN ? THEN identity_connections.auth_event_id "
            "ELSE excluded.auth_event_id END, updated_utc = excluded.updated_utc",
            (conn_id, *key, auth_event_id, created, now, int(keep_existing_event)))


def _disconnect(store: Store, where: str, params: tuple[str, ...]) -> int:
    """Move matching connections to the past (call inside a transaction)."""
    store.execute("INSERT OR REPLACE INTO identity_past_connections (id, user_id, client_id, "
                  "tenant_id, created_utc) SELECT id, user_id, client_id, tenant_id, created_utc "
                  f"FROM identity_connections WHERE {where}", params)
    return store.execute(f"DELETE FROM identity_connections WHERE {where}", params).rowcount


def listing(store: Store, user_id: str, client_id: str, auth_event_id: str | None = None) -> list[dict]:
    """The JSON array GET /connections answers. Organisations that no longer exist drop out."""
    sql = ("SELECT c.*, o.name AS tenant_name FROM identity_connections c "
           "JOIN organisations o ON o.tenant_id = c.tenant_id "
           "WHERE c.user_id = ? AND c.client_id = ?")
    params: list[str] = [user_id, client_id]
    if auth_event_id is not None:
        sql += " AND c.auth_event_id = ?"
        params.append(auth_event_id)
    rows = store.all(sql + " ORDER BY c.created_utc, o.name", params)
    return [{
        "id": r["id"], "authEventId": r["auth_event_id"], "tenantId": r["tenant_id"],
        "tenantType": "ORGANISATION", "tenantName": r["tenant_name"],
        "createdDateUtc": connection_date(r["created_utc"]),
        "updatedDateUtc": connection_date(r["updated_utc"]),
    } for r in rows]


def connected_tenant(store: Store, user_id: str, client_id: str, tenant_id: str) -> str | None:
    """The stored id of ``tenant_id`` (a GUID: any letter case) if this user has connected
    it to this app, else None."""
    row = store.one("SELECT tenant_id FROM identity_connections WHERE user_id = ? AND client_id = ? "
                    "AND lower(tenant_id) = lower(?)", (user_id, client_id, tenant_id))
    return row["tenant_id"] if row else None


def remove_all(store: Store, user_id: str, client_id: str) -> int:
    """Disconnect every organisation of this user from this app (revocation)."""
    return _disconnect(store, "user_id = ? AND client_id = ?", (user_id, client_id))


@bp.get("/connections")
@bp.get("/Connections")
def list_connections():
    grant = guard.bearer_grant()
    if isinstance(grant, Response):
        return grant
    limit = traffic.admit_app_call(grant.client_id)  # traffic owns the limits
    if isinstance(limit, Response):
        return limit
    event = request.args.get("authEventId")
    body = listing(sandbox().store, grant.user_id, grant.client_id, event or None)
    return json_response(body, headers=limit)


@bp.delete("/connections/<conn_id>")
@bp.delete("/Connections/<conn_id>")
def delete_connection(conn_id: str):
    grant = guard.bearer_grant()
    if isinstance(grant, Response):
        return grant
    limit = traffic.admit_app_call(grant.client_id)
    if isinstance(limit, Response):
        return limit
    sb = sandbox()
    with sb.store.transaction():
        row = sb.store.one("SELECT tenant_id FROM identity_connections WHERE id = ? AND user_id = ? "
                           "AND client_id = ?", (conn_id, grant.user_id, grant.client_id))
        if row is not None:
            _disconnect(sb.store, "id = ?", (conn_id,))
    if row is None:
        return Response(status=404, headers=limit)
    sb.stats.incr("connections.deleted", row["tenant_id"])
    return Response(status=204, headers=limit)
