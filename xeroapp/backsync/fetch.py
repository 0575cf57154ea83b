"""Reading back what webhook events announced, and one record on request.

``read_back(tenant_id)`` takes the organisation's unprocessed events, keeps the objects
linked here (the rest are someone else's), and reads them by id in as few GETs as URLs allow
(``?IDs=a,b,...``, split where Xero's servers would refuse a longer URL: mapping.id_lists),
through one connection to that organisation, so the organisation's call budget counts them.
It applies what it read (apply.py) and marks the events processed in one transaction: a
failure leaves them for the next run, and a re-run changes nothing twice.

An organisation that no workspace can call any more (disconnected, or every connection
waiting for a reconnect) has its events marked processed unread: the first poll after a
reconnect reads what changed since its mark, which covers them.
"""
from __future__ import annotations

import logging
from collections import defaultdict

import sqlalchemy as sa

from xeroapp.backsync import reading
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection, XeroLink
from xeroapp.models.xero_side import WebhookEvent
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import NotFound

log = logging.getLogger(__name__)

# Webhook eventCategory -> the Accounting API resource that holds its objects.
CATEGORIES = {"INVOICE": "Invoices", "CONTACT": "Contacts"}
# Query parameters of each read by ids: archived contacts are left out of lists unless asked
# for, and a contact's MergedToContactID comes only in a paged list (or a read by id).
ID_READ_PARAMS = {"Invoices": {}, "Contacts": {"includeArchived": "true", "page": "1"}}
# Events read per run: a flood is worked through in several runs, each one transaction.
MAX_EVENTS = 5000


def usable_connection(tenant_id: str) -> XeroConnection | None:
    """A connection to the organisation we may call now (holding tokens, not waiting for a
    reconnect); the first made, so runs use the same one."""
    return db.session.scalar(sa.select(XeroConnection).where(
        XeroConnection.tenant_id == tenant_id, XeroConnection.refresh_token_encrypted.is_not(None),
        XeroConnection.needs_reconnect.is_(False)).order_by(XeroConnection.id).limit(1))


def read_back(tenant_id: str) -> int:
    """Read back what the organisation's unprocessed events announced; the number of links
    moved on. Raises reading.PutOff (nothing committed) to be tried again later."""
    events = db.session.scalars(sa.select(WebhookEvent).where(
        WebhookEvent.tenant_id == tenant_id, WebhookEvent.processed_at.is_(None))
        .order_by(WebhookEvent.id).limit(MAX_EVENTS)).all()
    if not events:
        return 0
    connection = usable_connection(tenant_id)
    moved = 0
    if connection is not None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for event in events:
            if event.category in CATEGORIES:
                wanted[CATEGORIES[event.category]].add(event.resource_id)
        client = XeroClient(connection.id, tenant_id)
        for resource, ids in wanted.items():
            links = reading.links_to(tenant_id, resource, ids)
            moved += reading.apply_answer(resource, read_by_ids(client, resource, sorted(links)),
                                          links)
    else:
        log.info("webhook events of %s marked read: no usable connection", tenant_id)
    done = utcnow()
    for event in events:
        event.processed_at = done
    db.session.commit()
    return moved


def read_by_ids(client: XeroClient, resource: str, ids: list[str]) -> list[dict]:
    """The objects of ``resource`` with these ids, in as few GETs as URLs allow."""
    params = ID_READ_PARAMS[resource]
    objects: list[dict] = []
    for id_list in mapping.id_lists(ids, client.room(resource, "IDs", params)):
        reading.leave_room_for_pushes(client)
        objects += client.accounting("GET", resource, params={**params, "IDs": id_list}
                                     ).get(resource) or []
    return objects


# record kind -> the resource its Xero object is read from.
KIND_RESOURCES = {"client": "Contacts", "supplier": "Contacts", "invoice": "Invoices",
                  "purchase_order": "PurchaseOrders"}


def read_one(workspace_id: int, kind: str, record_id: int) -> bool:
    """Check Xero now for one record: read its object by id and apply it; False when the
    record has no link to the connected organisation or Xero no longer has the object."""
    connection = XeroConnection.usable_for(workspace_id)
    resource = KIND_RESOURCES.get(kind)
    if connection is None or connection.needs_reconnect or resource is None:
        return False
    link = db.session.scalar(sa.select(XeroLink).filter_by(
        workspace_id=workspace_id, record_kind=kind, record_id=record_id,
        tenant_id=connection.tenant_id))
    if link is None:
        return False
    client = XeroClient(connection.id, connection.tenant_id)
    try:
        objects = client.accounting("GET", f"{resource}/{link.xero_id}").get(resource) or []
    except NotFound:
        log.info("%s %s: %s %s is not in Xero", kind, record_id, resource, link.xero_id)
        return False
    reading.apply_answer(resource, objects, {link.xero_id: [link]})
    db.session.commit()
    return True
