"""Client/Supplier -> Xero Contact: update the linked one, or find-or-link-or-create.

Before creating, we look for a contact carrying our ContactNumber (ours from an earlier push
whose answer was lost, or before a disconnect) or the same name (the business already keyed
the customer into Xero): one ``where`` call for an ordinary name. A name Xero's ``where``
cannot hold (a double quote, a backslash) is searched with ``searchTerm`` and compared here.
One match: link to it, sending only the fields we hold (theirs stay). Several with the name:
stop and let a person choose. None: create.
"""
from __future__ import annotations

from typing import Any

from xeroapp.extensions import db
from xeroapp.sync import linking, messages
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import AmbiguousContact, GoneFromXero
from xeroapp.models.xero import XeroLink
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import NotFound, ValidationError

NEW_CONTACT = "new"
NAME_CLASH = "is already assigned to another contact"
CANDIDATE_FIELDS = ("ContactID", "Name", "ContactNumber", "EmailAddress")


def push(ctx: PushContext, record: Any) -> XeroLink:
    """Send or update ``record`` as a contact; returns its (uncommitted) link."""
    number = mapping.contact_number(record.record_kind, record.id)
    fields = mapping.contact_fields(record)
    link = linking.find(record, ctx.tenant_id)
    if link is not None:
        changes = mapping.contact_changes(fields, link.pushed_fields)
        return _update(ctx, record, link.xero_id, mapping.contact_body(changes), fields)
    choice = ctx.job.contact_choice
    if choice == NEW_CONTACT:
        return _create(ctx, record, number, fields)
    if choice:
        return _adopt(ctx, record, _chosen(ctx, choice), number, fields)
    existing = _existing(ctx, number, record.name, record.record_kind)
    if existing is None:
        return _create(ctx, record, number, fields)
    if existing.get("ContactNumber") == number:  # ours, from a push whose answer was lost
        return _update(ctx, record, existing["ContactID"], _ours_again(fields, existing), fields)
    return _adopt(ctx, record, existing, number, fields)


def _ours_again(fields: dict[str, str], found: dict) -> dict:
    """What a contact carrying our ContactNumber gets: everything we hold. But one whose name
    is ours spelt otherwise was adopted by an earlier push (adopting gives our number to a
    contact without one) and keeps its spelling, as adopting it did."""
    if spelt_otherwise(found, fields.get("Name", "")):
        return mapping.contact_body(mapping.adoption_changes(fields))
    return mapping.contact_body(mapping.held(fields))


def spelt_otherwise(contact: dict, name: str) -> bool:
    """The contact has this name as Xero compares names (without regard to case), in
    another spelling ("BAYSIDE CAFÉ" for "Bayside Café"): the business's own spelling."""
    return same_name(contact, name) and (contact.get("Name") or "").strip() != name.strip()


def adoption_body(fields: dict[str, str], found: dict, number: str) -> dict:
    """What linking to ``found`` (a contact found by name) sends: the fields we hold, not
    the name, and our ContactNumber only if it has none of its own (its own may be what the
    business's other systems know it by; the link keeps its ContactID)."""
    own_number = (found.get("ContactNumber") or "").strip()
    return mapping.contact_body(mapping.adoption_changes(fields), None if own_number else number)


def _adopt(ctx: PushContext, record: Any, found: dict, number: str,
           fields: dict[str, str]) -> XeroLink:
    """Link to a contact found by (or chosen for) its name, sending only what we hold.

    Where several active contacts share the name, Xero refuses any edit of them ("already
    assigned to another contact"); the person chose this one, so it is linked all the same,
    marked as not yet updated: the panel then offers Update, whose error explains the clash.
    """
    contact_id = found["ContactID"]
    try:
        return _update(ctx, record, contact_id, adoption_body(fields, found, number), fields)
    except ValidationError as exc:
        if not any(NAME_CLASH in m for m in exc.messages):
            raise
    link = linking.record_push(record, ctx.tenant_id, contact_id, record.version)
    link.pushed_version = None
    return link


def _chosen(ctx: PushContext, contact_id: str) -> dict:
    """The contact a person chose, as Xero holds it now (its own ContactNumber matters)."""
    try:
        found = ctx.xero.accounting("GET", f"Contacts/{contact_id}")
    except NotFound:  # gone meanwhile: the update below says so
        return {"ContactID": contact_id}
    return (found.get("Contacts") or [{"ContactID": contact_id}])[0]


def ensure(ctx: PushContext, record: Any) -> str:
    """The ContactID of ``record`` in this organisation, sending it first if needed."""
    link = linking.find(record, ctx.tenant_id)
    if link is not None:
        return link.xero_id
    link = push(ctx, record)
    ctx.commit_step()
    return link.xero_id


def lookup(xero: XeroClient, names: list[str], *, number: str | None = None) -> list[dict]:
    """The active contacts named one of ``names`` or carrying ``number``, and possibly a few
    others (callers compare exactly). Names go in ``where`` OR-lists, as few GETs as the URL
    length allows; a name a ``where`` cannot hold (a double quote or backslash, or too long
    once encoded) is searched by ``searchTerm``, one GET each. Should Xero refuse a ``where``
    all the same (QueryParseException), its names are searched one by one too, so one odd
    name never fails the others."""
    room = xero.room("Contacts", "where")
    terms: dict[str, str | None] = {}  # where term -> the name it finds (None: the number)
    searches: list[str] = []
    if number:
        terms[mapping.number_term(number)] = None
    for name in dict.fromkeys(name.strip() for name in names):
        term = mapping.name_term(name)
        if term is None or mapping.query_length(term) > room:
            searches.append(name)
        else:
            terms[term] = name
    found: dict[str, dict] = {}
    for group in mapping.where_any(list(terms), room):
        try:
            answer = xero.accounting("GET", "Contacts", params={"where": mapping.joined(group)})
        except ValidationError:
            searches.extend(name for term in group if (name := terms[term]) is not None)
            continue
        _collect(found, answer)
    search_room = xero.room("Contacts", "searchTerm")
    for name in searches:
        _collect(found, xero.accounting("GET", "Contacts", params={
            "searchTerm": mapping.search_term(name, search_room)}))
    return list(found.values())


def carrying_numbers(xero: XeroClient, numbers: list[str]) -> dict[str, dict]:
    """Our ContactNumber -> the active contact carrying it, for those of ``numbers`` Xero
    has: ``where`` OR-lists, in as few GETs as the URL length allows."""
    wanted = set(numbers)
    found: dict[str, dict] = {}
    terms = [mapping.number_term(number) for number in numbers]
    for group in mapping.where_any(terms, xero.room("Contacts", "where")):
        answer = xero.accounting("GET", "Contacts", params={"where": mapping.joined(group)})
        for contact in answer.get("Contacts") or []:
            if contact.get("ContactNumber") in wanted:
                found[contact["ContactNumber"]] = contact
    return found


def _collect(found: dict[str, dict], answer: dict) -> None:
    for contact in answer.get("Contacts") or []:
        found.setdefault(contact.get("ContactID"), contact)


def same_name(contact: dict, name: str) -> bool:
    """Xero compares contact names without regard to case."""
    return (contact.get("Name") or "").strip().casefold() == name.strip().casefold()


def _existing(ctx: PushContext, number: str, name: str, record_kind: str) -> dict | None:
    contacts = lookup(ctx.xero, [name], number=number)
    by_number = [c for c in contacts if c.get("ContactNumber") == number]
    if by_number:
        return by_number[0]
    by_name = [c for c in contacts if same_name(c, name)]
    if len(by_name) > 1:
        raise AmbiguousContact(name.strip(), [{k: c.get(k) for k in CANDIDATE_FIELDS}
                                              for c in by_name], messages.noun(record_kind))
    return by_name[0] if by_name else None


def _create(ctx: PushContext, record: Any, number: str, fields: dict[str, str]) -> XeroLink:
    body = mapping.contact_body(mapping.held(fields), number)
    try:
        answer = ctx.xero.accounting("PUT", "Contacts", json={"Contacts": [body]},
                                     idempotency_key=ctx.key("contact-create", body))
    except ValidationError as exc:
        if not any(NAME_CLASH in m for m in exc.messages):
            raise
        return _created_meanwhile(ctx, record, number, fields, exc)
    return _linked(ctx, record, answer, fields)


def _created_meanwhile(ctx: PushContext, record: Any, number: str, fields: dict[str, str],
                       clash: ValidationError) -> XeroLink:
    """Xero says the name or our ContactNumber is "already assigned to another contact",
    though our lookup just before found neither. When a contact now carries our
    ContactNumber, another push of this same record created it meanwhile (two invoices of a
    new client sent at the same moment): link to it and update it, as if we had found it.
    Otherwise someone else's contact took the name, and Xero's refusal stands."""
    db.session.commit()  # end this transaction: the link the other push stored must be visible
    existing = _existing(ctx, number, record.name, record.record_kind)
    if existing is None or existing.get("ContactNumber") != number:
        raise clash
    return _update(ctx, record, existing["ContactID"],
                   mapping.contact_body(mapping.held(fields)), fields)


def _update(ctx: PushContext, record: Any, contact_id: str, body: dict,
            fields: dict[str, str]) -> XeroLink:
    """POST ``body`` to the contact; ``fields`` (all of ours, as now) are remembered on the
    link as what this push sent, for the next update to compare with."""
    try:
        answer = ctx.xero.accounting("POST", f"Contacts/{contact_id}", json={"Contacts": [body]},
                                     idempotency_key=ctx.key("contact-update", contact_id, body))
    except NotFound:
        linking.forget(record, ctx.tenant_id)
        ctx.commit_step()
        raise GoneFromXero(f"The contact linked to {record.name} no longer exists in Xero. "
                           "Send it again to create it there.") from None
    return _linked(ctx, record, answer, fields)


def _linked(ctx: PushContext, record: Any, answer: dict, fields: dict[str, str]) -> XeroLink:
    contact = (answer.get("Contacts") or [{}])[0]
    return linking.record_push(record, ctx.tenant_id, contact["ContactID"], record.version,
                               fields)
