"""Connecting, switching and disconnecting a workspace's Xero organisation.

The views decide what to show; this module decides what happens at Xero and in our tables.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext

from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.workspace import User, Workspace
from xeroapp.models.xero import XeroConnection
from xeroapp.settings.forms import CURRENCIES
from xeroapp.sync import outbox
from xeroapp.xero import oauth, reference, tokens
from xeroapp.xero.client import XeroClient
from xeroapp.integrations.pending import PendingAuthorisation
from xeroapp.xero.errors import NotConnected, NotFound, ReconnectRequired, XeroError

log = logging.getLogger(__name__)


class ConnectFailed(Exception):
    """Connecting could not finish; the message is for the user."""


def connection_of(workspace_id: int) -> XeroConnection | None:
    return db.session.scalar(db.select(XeroConnection).filter_by(workspace_id=workspace_id))


def granted_connections(token: dict) -> list[dict]:
    """The organisations granted in THIS authorisation.

    ``/connections`` lists every organisation this Xero user ever connected to our app, in no
    promised order; taking the first is how peers wrote to the wrong organisation (pain point
    7). Xero stamps the connections of one consent with the authentication event id that is
    also in the new access token, so we keep only those.
    """
    event = tokens.unverified_claims(token.get("access_token")).get("authentication_event_id")
    if not event:
        raise ConnectFailed("Xero did not say which organisations you just chose. Please try again.")
    listed = XeroClient.with_token(token["access_token"]).connections()
    granted = [c for c in listed if c.get("authEventId") == event]
    if not granted:
        raise ConnectFailed("No organisation was chosen at Xero. Connect again and tick the "
                            "organisation this workspace should use.")
    return granted


def is_switch(workspace_id: int, tenant_id: str) -> XeroConnection | None:
    """The current connection when ``tenant_id`` would replace a different organisation."""
    current = connection_of(workspace_id)
    return current if current is not None and current.tenant_id != tenant_id else None


def save_connection(pending: PendingAuthorisation, tenant_id: str, user: User) -> XeroConnection:
    """Store the chosen organisation, its token set and its lists (currencies, tax rates,
    accounts); on the workspace's first connect its default currency becomes the
    organisation's base currency; resume pushes that were waiting."""
    granted = pending.connection_for(tenant_id)
    if granted is None:
        raise ConnectFailed("That organisation was not part of this authorisation.")
    access = pending.token["access_token"]
    try:
        org = XeroClient.with_token(access, tenant_id).organisation()
    except XeroError as exc:
        raise ConnectFailed(f"Connected, but could not read the organisation from Xero: {exc}") from exc

    lists = _read_lists(access, tenant_id, org)
    current = connection_of(pending.workspace_id)
    first_connect = current is None and XeroOrganisation.last_of(pending.workspace_id) is None
    switching = current is not None and current.tenant_id != tenant_id
    if switching:
        _let_go_of(current, pending.token)
    # While we replace the tokens no worker may be half-way through refreshing the old ones
    # (it would commit the old grant's tokens over ours).
    with tokens.refresh_lock(current.id) if current else nullcontext():
        connection = current or XeroConnection(workspace_id=pending.workspace_id)
        connection.tenant_id = tenant_id
        connection.tenant_name = org.get("Name") or granted.get("tenantName") or "Xero organisation"
        connection.connection_id = granted["id"]
        connection.short_code = org.get("ShortCode")
        connection.connected_by_id = user.id
        connection.connected_at = utcnow()
        connection.needs_reconnect = False
        connection.needs_reconnect_reason = None
        if switching:  # account codes and tax types belong to the old organisation
            connection.sales_account_code = connection.sales_tax_type = None
            connection.purchase_account_code = connection.purchase_tax_type = None
        tokens.store_token_set(connection, pending.token)
        db.session.add(connection)
        if lists is not None:
            reference.save(pending.workspace_id, tenant_id, lists)
        if first_connect:
            _follow_base_currency(pending.workspace_id, org.get("BaseCurrency"))
        db.session.commit()
    if lists is None:  # read them on the queue instead: the connection itself is made
        reference.request_refresh(connection)
    outbox.resume_after_reconnect(db.session, pending.workspace_id, tenant_id)
    return connection


def _read_lists(access_token: str, tenant_id: str, org: dict) -> dict | None:
    """The organisation's currencies, tax rates and accounts (xero.reference), read now so the
    first page after connecting already offers its own codes; None if Xero did not answer."""
    try:
        return reference.read(XeroClient.with_token(access_token, tenant_id), org)
    except XeroError as exc:
        log.info("could not read the lists of organisation %s while connecting: %s", tenant_id, exc)
        return None


def _follow_base_currency(workspace_id: int, base_currency: str | None) -> None:
    """A workspace's first organisation decides its default currency (new invoices and orders
    use it): a British organisation trades in GBP, whatever the sign-up default was."""
    code = (base_currency or "").upper()
    workspace = db.session.get(Workspace, workspace_id)
    if workspace is not None and code in CURRENCIES:
        workspace.default_currency = code


def _let_go_of(old: XeroConnection, new_token: dict) -> None:
    """Best effort: release the organisation we are switching away from.

    Same Xero user: delete just the old connection with the new token (revoking would end the
    new grant too, since revocation ends the user's grant to our app). Another Xero user:
    revoke that user's grant, which we are about to forget.
    """
    new_user = tokens.unverified_claims(new_token.get("access_token")).get("xero_userid")
    old_user = tokens.unverified_claims(old.access_token).get("xero_userid")
    try:
        if old_user and old_user != new_user and old.refresh_token:
            oauth.revoke_refresh_token(old.refresh_token)
        elif old.connection_id:
            XeroClient.with_token(new_token["access_token"]).delete_connection(old.connection_id)
    except XeroError as exc:  # the switch itself must not fail on the old organisation
        log.info("could not release the old Xero connection %s: %s", old.connection_id, exc)


def disconnect(connection: XeroConnection) -> str:
    """Remove the connection at Xero and here; returns the organisation's name.

    Order matters: DELETE /connections/{id} needs a live access token, and revocation ends
    every token of the grant, so the DELETE goes first. Either may find Xero has already
    forgotten us (404, invalid_grant): that is a success, not an error. Unreachable Xero
    raises TransportError and changes nothing, so the user can simply try again.
    XeroLinks stay: reconnecting the same organisation resumes with "Update".
    """
    name = connection.tenant_name
    if connection.connection_id and not connection.needs_reconnect:
        try:
            XeroClient(connection.id, connection.tenant_id).delete_connection(connection.connection_id)
        except (NotFound, ReconnectRequired, NotConnected):
            pass
    db.session.refresh(connection)  # a refresh during the DELETE rotated the refresh token
    if connection.refresh_token:
        oauth.revoke_refresh_token(connection.refresh_token)
    outbox.hold_for_reconnect(db.session, connection.workspace_id)
    db.session.delete(connection)
    db.session.commit()
    return name

