"""Client/Supplier -> Xero Contact: update the linked one, or find-or-link-or-create.

Before creating, one ``where`` call looks for a contact carrying our ContactNumber (ours from
an earlier push whose answer was lost, or before a disconnect) or the same name (the
business already keyed the customer into Xero). One match: link to it and bring it up to
date. Several with the name: stop and let a person choose. None: create.
"""
from __future__ import annotations

from typing import Any

from xeroapp.extensions import db
from xeroapp.sync import linking, messages
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import AmbiguousContact, GoneFromXero
from xeroapp.models.xero import XeroLink
from xeroapp.xero import mapping
from xeroapp.xero.errors import NotFound, ValidationError

NEW_CONTACT = "new"
NAME_CLASH = "is already assigned to another contact"
CANDIDATE_FIELDS = ("ContactID", "Name", "ContactNumber", "EmailAddress")


def push(ctx: PushContext, record: Any) -> XeroLink:
    """Send or update ``record`` as a contact; returns its (uncommitted) link."""
    number = mapping.contact_number(record.record_kind, record.id)
    body = mapping.contact(record, number)
    link = linking.find(record, ctx.tenant_id)
    if link is not None:
        return _update(ctx, record, link.xero_id, body)
    choice = ctx.job.contact_choice
    if choice == NEW_CONTACT:
        return _create(ctx, record, body)
    if choice:
        return _adopt(ctx, record, choice, body)
    existing = _existing(ctx, number, record.name, record.record_kind)
    if existing is None:
        return _create(ctx, record, body)
    if existing.get("ContactNumber") == number:
        return _update(ctx, record, existing["ContactID"], body)
    return _adopt(ctx, record, existing["ContactID"], body)


def _adopt(ctx: PushContext, record: Any, contact_id: str, body: dict) -> XeroLink:
    """Link to a contact found by (or chosen for) its name, and bring it up to date.

    Where several active contacts share the name, Xero refuses any edit of them ("already
    assigned to another contact"); the person chose this one, so it is linked all the same,
    marked as not yet updated: the panel then offers Update, whose error explains the clash.
    """
    try:
        return _update(ctx, record, contact_id, without_name(body))
    except ValidationError as exc:
        if not any(NAME_CLASH in m for m in exc.messages):
            raise
    link = linking.record_push(record, ctx.tenant_id, contact_id, record.version)
    link.pushed_version = None
    return link


def without_name(body: dict) -> dict:
    """The name is already right (found by it); Xero's spelling (case) of it is kept."""
    return {key: value for key, value in body.items() if key != "Name"}


def ensure(ctx: PushContext, record: Any) -> str:
    """The ContactID of ``record`` in this organisation, sending it first if needed."""
    link = linking.find(record, ctx.tenant_id)
    if link is not None:
        return link.xero_id
    link = push(ctx, record)
    ctx.commit_step()
    return link.xero_id


def _existing(ctx: PushContext, number: str, name: str, record_kind: str) -> dict | None:
    found = ctx.xero.accounting("GET", "Contacts",
                                params={"where": mapping.contact_lookup(number, name)})
    contacts = found.get("Contacts") or []
    by_number = [c for c in contacts if c.get("ContactNumber") == number]
    if by_number:
        return by_number[0]
    wanted = name.strip().casefold()  # Xero compares names without regard to case
    by_name = [c for c in contacts if (c.get("Name") or "").strip().casefold() == wanted]
    if len(by_name) > 1:
        raise AmbiguousContact(name.strip(), [{k: c.get(k) for k in CANDIDATE_FIELDS}
                                              for c in by_name], messages.noun(record_kind))
    return by_name[0] if by_name else None


def _create(ctx: PushContext, record: Any, body: dict) -> XeroLink:
    try:
        answer = ctx.xero.accounting("PUT", "Contacts", json={"Contacts": [body]},
                                     idempotency_key=ctx.key("contact-create"))
    except ValidationError as exc:
        if not any(NAME_CLASH in m for m in exc.messages):
            raise
        return _created_meanwhile(ctx, record, body, exc)
    return _linked(ctx, record, answer)


def _created_meanwhile(ctx: PushContext, record: Any, body: dict, clash: ValidationError) -> XeroLink:
    """Xero says the name or our ContactNumber is "already assigned to another contact",
    though our lookup just before found neither. When a contact now carries our
    ContactNumber, another push of this same record created it meanwhile (two invoices of a
    new client sent at the same moment): link to it and update it, as if we had found it.
    Otherwise someone else's contact took the name, and Xero's refusal stands."""
    db.session.commit()  # end this transaction: the link the other push stored must be visible
    number = body["ContactNumber"]
    existing = _existing(ctx, number, record.name, record.record_kind)
    if existing is None or existing.get("ContactNumber") != number:
        raise clash
    return _update(ctx, record, existing["ContactID"], body)


def _update(ctx: PushContext, record: Any, contact_id: str, body: dict) -> XeroLink:
    try:
        answer = ctx.xero.accounting("POST", f"Contacts/{contact_id}", json={"Contacts": [body]},
                                     idempotency_key=ctx.key("contact-update"))
    except NotFound:
        linking.forget(record, ctx.tenant_id)
        ctx.commit_step()
        raise GoneFromXero(f"The contact linked to {record.name} no longer exists in Xero. "
                           "Send it again to create it there.") from None
    return _linked(ctx, record, answer)


def _linked(ctx: PushContext, record: Any, answer: dict) -> XeroLink:
    contact = (answer.get("Contacts") or [{}])[0]
    return linking.record_push(record, ctx.tenant_id, contact["ContactID"], record.version)
