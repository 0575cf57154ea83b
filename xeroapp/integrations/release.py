"""Letting go of one workspace's Xero connection without cutting another workspace's.

Two facts of Xero make this more than "revoke the token":

- Revoking a refresh token ends every grant of that Xero user to our app and removes all of
  their connections (xero-python's ``revoke_token``: it "revoke[s] access tokens and
  remove[s] all a user's connections"). A bookkeeper who connected two workspaces holds one
  grant per workspace, yet revoking either one's token disconnects both.
- A connection is one per user, app and organisation. Two workspaces connected to the same
  organisation by the same user share it: deleting it for one cuts the other.

So: the organisation's connection is deleted (``DELETE /connections/{id}``) unless another
workspace uses that same connection, and the grant is revoked only when no other workspace
holds a grant of the same Xero user.
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection
from xeroapp.xero import tokens
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import NotConnected, NotFound, ReconnectRequired


def xero_user_of(connection: XeroConnection) -> str | None:
    """The Xero user whose grant the connection holds (rows stored before we kept it carry
    it only inside their access token)."""
    return (connection.xero_user_id
            or tokens.unverified_claims(connection.access_token).get("xero_userid"))


def siblings(connection: XeroConnection) -> list[XeroConnection]:
    """Other workspaces' connections that hold a grant of the same Xero user."""
    user = xero_user_of(connection)
    if not user:
        return []
    candidates = db.session.scalars(sa.select(XeroConnection).where(
        XeroConnection.id != connection.id, XeroConnection.refresh_token_encrypted.is_not(None),
        sa.or_(XeroConnection.xero_user_id == user, XeroConnection.xero_user_id.is_(None))))
    return [other for other in candidates if xero_user_of(other) == user]


def may_revoke(connection: XeroConnection, others: list[XeroConnection]) -> bool:
    """Revoke only a grant we know is nobody else's: an unknown user might be shared."""
    return not others and xero_user_of(connection) is not None


def delete_connection(connection: XeroConnection, others: list[XeroConnection], *,
                      access_token: str | None = None) -> None:
    """DELETE this workspace's connection at Xero, unless another workspace uses it.

    Sent with ``access_token`` when given (a new grant of the same user), else with this
    connection's own token, else with another workspace's token of the same user (which Xero
    accepts: the connection is that user's). Xero having forgotten it already is success.
    TransportError and Unavailable reach the caller: nothing was changed.
    """
    connection_id = connection.connection_id
    if not connection_id or any(o.connection_id == connection_id for o in others):
        return
    for client in _clients(connection, others, access_token):
        try:
            client.delete_connection(connection_id)
        except NotFound:
            return
        except (ReconnectRequired, NotConnected):
            continue  # that grant is gone; the next one may still work
        return


def _clients(connection: XeroConnection, others: list[XeroConnection],
             access_token: str | None) -> list[XeroClient]:
    if access_token:
        return [XeroClient.with_token(access_token)]
    holders = [connection, *others]
    return [XeroClient(holder.id, holder.tenant_id) for holder in holders
            if not holder.needs_reconnect]
