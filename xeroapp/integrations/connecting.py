"""Connecting, switching and disconnecting a workspace's Xero organisation.

The views decide what to show; this module decides what happens at Xero and in our tables.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext

from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.workspace import User
from xeroapp.models.xero import XeroConnection
from xeroapp.sync import reconnect
from xeroapp.xero import oauth, reference, tokens
from xeroapp.xero.client import XeroClient
from xeroapp.integrations import connect_reads, release
from xeroapp.integrations.connect_reads import ConnectReads
from xeroapp.integrations.granted import Granted, of_this_consent
from xeroapp.integrations.pending import PendingAuthorisation
from xeroapp.xero.errors import XeroError

log = logging.getLogger(__name__)


class ConnectFailed(Exception):
    """Connecting could not finish; the message is for the user."""


def connection_of(workspace_id: int) -> XeroConnection | None:
    return db.session.scalar(db.select(XeroConnection).filter_by(workspace_id=workspace_id))


def granted_connections(token: dict, workspace_id: int) -> Granted:
    """The organisations granted in THIS authorisation (granted.py says how they are told
    apart from the ones this Xero user connected before)."""
    claims = tokens.unverified_claims(token.get("access_token"))
    listed = XeroClient.with_token(token["access_token"]).connections()
    current = connection_of(workspace_id)
    chosen = of_this_consent(listed, claims, current.tenant_id if current else None)
    if not chosen.connections:
        raise ConnectFailed("No organisation was chosen at Xero. Connect again and tick the "
                            "organisation this workspace should use.")
    return chosen


def is_switch(workspace_id: int, tenant_id: str) -> XeroConnection | None:
    """The current connection when ``tenant_id`` would replace a different organisation."""
    current = connection_of(workspace_id)
    return current if current is not None and current.tenant_id != tenant_id else None


def save_connection(pending: PendingAuthorisation, tenant_id: str, user: User,
                    reads: ConnectReads | None = None) -> XeroConnection:
    """Store the chosen organisation, its token set and its lists (currencies, tax rates,
    accounts); on the workspace's first connect its default currency becomes the
    organisation's base currency; resume pushes that were waiting.

    A read Xero turns away for now (429, 5xx, timeout: connect_reads) does not stop the
    connect: the organisation is stored under the name /connections gave, and ``reads``
    says what is left to read on the queue (connect_reads.finish_later, after this)."""
    granted = pending.connection_for(tenant_id)
    if granted is None:
        raise ConnectFailed("That organisation was not part of this authorisation.")
    reads = reads if reads is not None else ConnectReads()
    client = XeroClient.with_token(pending.token["access_token"], tenant_id)
    try:
        org = reads.run(connect_reads.ORGANISATION, client.organisation)
    except XeroError as exc:
        raise ConnectFailed(f"Connected, but could not read the organisation from Xero: {exc}") from exc
    lists = _read_lists(client, org, reads) if org is not None else None

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
        connection.tenant_name = ((org or {}).get("Name") or granted.get("tenantName")
                                  or "Xero organisation")
        connection.connection_id = granted["id"]
        if org is not None or switching:  # reconnecting the same one keeps its code meanwhile
            connection.short_code = (org or {}).get("ShortCode")
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
        if first_connect and org is not None:
            connect_reads.follow_base_currency(pending.workspace_id, org.get("BaseCurrency"))
        reads.follow_currency = first_connect and org is None
        db.session.commit()
    reconnect.resume_after_reconnect(db.session, pending.workspace_id, tenant_id)
    return connection


def _read_lists(client: XeroClient, org: dict, reads: ConnectReads) -> dict | None:
    """The organisation's currencies, tax rates and accounts (xero.reference), read now so the
    first page after connecting already offers its own codes; None if Xero did not answer
    (``reads`` then holds them for the queue)."""
    try:
        return reads.run(connect_reads.ORGANISATION, lambda: reference.read(client, org))
    except XeroError as exc:
        log.info("could not read the lists of organisation %s while connecting: %s",
                 client.tenant_id, exc)
        reads.defer(connect_reads.ORGANISATION)
        return None


def _let_go_of(old: XeroConnection, new_token: dict) -> None:
    """Best effort: release the organisation we are switching away from (release.py).

    Same Xero user: delete just the old connection with the new token (revoking would end
    the new grant too). Another Xero user: revoke that user's grant, which we are about to
    forget, unless another workspace holds one of theirs; then delete just the connection.
    """
    new_user = tokens.unverified_claims(new_token.get("access_token")).get("xero_userid")
    others = release.siblings(old)
    try:
        if new_user and release.xero_user_of(old) == new_user:
            release.delete_connection(old, others, access_token=new_token["access_token"])
        elif old.refresh_token and release.may_revoke(old, others):
            oauth.revoke_refresh_token(old.refresh_token)
        else:
            release.delete_connection(old, others)
    except XeroError as exc:  # the switch itself must not fail on the old organisation
        log.info("could not release the old Xero connection %s: %s", old.connection_id, exc)


def disconnect(connection: XeroConnection) -> str:
    """Remove the connection at Xero and here; returns the organisation's name.

    Only this workspace's: the organisation's connection is deleted unless another workspace
    uses it, and the grant is revoked only when no other workspace holds a grant of the same
    Xero user (revocation ends all of them; release.py). Order matters: DELETE
    /connections/{id} needs a live access token, and revocation ends every token of the
    grant, so the DELETE goes first. Either may find Xero has already forgotten us (404,
    invalid_grant): that is a success, not an error. Unreachable Xero raises TransportError
    and changes nothing, so the user can simply try again.
    XeroLinks stay: reconnecting the same organisation resumes with "Update".
    """
    name = connection.tenant_name
    others = release.siblings(connection)
    release.delete_connection(connection, others)
    db.session.refresh(connection)  # a refresh during the DELETE rotated the refresh token
    if connection.refresh_token and release.may_revoke(connection, others):
        oauth.revoke_refresh_token(connection.refresh_token)
    reconnect.hold_for_reconnect(db.session, connection.workspace_id)
    db.session.delete(connection)
    db.session.commit()
    return name
