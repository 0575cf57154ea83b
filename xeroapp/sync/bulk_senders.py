"""One batch of a bulk run, per kind: the elements of ONE batched request to Xero (up to 50,
``summarizeErrors=false``) and each element's answer mapped back to its record.

With summarizeErrors=false Xero answers 200 with every element in request order, each with
StatusAttributeString OK/WARNING/ERROR and, when refused, its ValidationErrors; the valid
ones are saved. Elements are paired with records by position, checked against the number we
sent (ContactNumber, InvoiceNumber, Item Code) so a reordered answer cannot link a record to
someone else's object.

Every request carries an Idempotency-Key derived from its body: a retry of the same batch
(429, lost answer, dead worker) repeats it and Xero replays instead of creating twice; a
batch whose records changed meanwhile is a different request with a different key. Contacts
go by POST with our ContactNumber, which Xero matches, so even a retry after the key expired
updates the contact created the first time instead of duplicating it. Contacts already
linked, or adopted by name, are paired with their answer by ContactID.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice, Product, PushJob, XeroConnection, XeroLink
from xeroapp.sync import contacts, linking, messages
from xeroapp.sync.invoices import LOCKED_STATUSES
from xeroapp.sync.outcomes import LockedInXero
from xeroapp.xero import mapping
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import ElementErrors, ValidationError

BATCH_PARAMS = {"summarizeErrors": "false"}
OK_STATUSES = ("OK", "WARNING")


@dataclass
class Outcome:
    """What became of one record: ``message`` (for the user) and ``field`` when refused."""

    ok: bool
    message: str | None = None
    field: str | None = None
    kind: str | None = None


def refused(record_kind: str, xero_messages: list[str]) -> Outcome:
    """Xero's own words for a refused element, as the panel words them."""
    exc = ValidationError("; ".join(xero_messages), [ElementErrors(0, xero_messages)])
    text, blamed = messages.validation(exc, record_kind)
    return Outcome(False, text, blamed, "validation")


@dataclass
class BatchContext:
    """The connection and run a batch belongs to, and its rows (to stamp each call's key)."""

    xero: XeroClient
    connection: XeroConnection
    run_id: int
    rows: list[PushJob] = field(default_factory=list)
    links: linking.LinkIndex = field(init=False)

    def __post_init__(self) -> None:
        self.links = linking.LinkIndex(self.connection.tenant_id)

    @property
    def tenant_id(self) -> str:
        return self.connection.tenant_id

    def call(self, method: str, resource: str, plural: str, elements: list[dict], step: str,
             *, params: dict | None = None, stamp: bool = True) -> list[dict]:
        """One batched request; the answer's elements, in request order. The key is stored
        on the rows (committed) BEFORE the call, as for a single push."""
        key = batch_key(self.run_id, step, elements)
        if stamp:
            for row in self.rows:
                row.idempotency_key = key
            db.session.commit()
        answer = self.xero.accounting(method, resource, params={**BATCH_PARAMS, **(params or {})},
                                      json={plural: elements}, idempotency_key=key)
        return answer.get(plural) or []


def batch_key(run_id: int, step: str, elements: list[dict]) -> str:
    digest = hashlib.sha256(json.dumps(elements, sort_keys=True, default=str).encode()).hexdigest()
    return f"xa-bulk-{run_id}-{step}-{digest[:48]}"


def element_for(results: list[dict], index: int, key: str, expected: str | None) -> dict:
    """The answer's element for the request's ``index``-th, by position, checked by ``key``."""
    wanted = (expected or "").casefold()
    if index < len(results) and (not wanted or (results[index].get(key) or "").casefold() == wanted):
        return results[index]
    return next((r for r in results if wanted and (r.get(key) or "").casefold() == wanted), {})


def succeeded(result: dict, id_field: str) -> bool:
    return result.get("StatusAttributeString") in OK_STATUSES and bool(result.get(id_field))


def errors_of(result: dict) -> list[str]:
    return [e.get("Message", "") for e in result.get("ValidationErrors") or []] or [
        "Xero did not save it and gave no reason."]


# -- contacts (clients and suppliers) ------------------------------------------------------------

def push_contacts(ctx: BatchContext, records: list[Any], *, stamp: bool = True) -> list[Outcome]:
    """POST /Contacts with every record: a linked one by ContactID with the fields changed
    since its last push, a new one with our ContactNumber and every field we hold. Records
    refused because Xero already has a contact of that name are then adopted."""
    ctx.links.load(records)
    elements, fields, keys = [], [], []
    for record in records:
        ours = mapping.contact_fields(record)
        link = ctx.links.find(record)
        if link is not None:
            body = mapping.contact_body(mapping.contact_changes(ours, link.pushed_fields))
            body["ContactID"] = link.xero_id
            keys.append(("ContactID", link.xero_id))
        else:
            number = mapping.contact_number(record.record_kind, record.id)
            body = mapping.contact(record, number)
            keys.append(("ContactNumber", number))
        elements.append(body)
        fields.append(ours)
    versions = [record.version for record in records]  # what was sent; a commit expires them
    results = ctx.call("POST", "Contacts", "Contacts", elements, "contacts", stamp=stamp)
    outcomes: list[Outcome | None] = []
    clashes: list[int] = []
    for index, (record, body) in enumerate(zip(records, elements)):
        result = element_for(results, index, *keys[index])
        if succeeded(result, "ContactID"):
            ctx.links.record_push(record, result["ContactID"], versions[index], fields[index])
            outcomes.append(Outcome(True))
        elif "ContactID" not in body and _name_taken(result):
            clashes.append(index)
            outcomes.append(None)
        else:
            outcomes.append(refused(record.record_kind, errors_of(result)))
    if clashes:
        adopted = _adopt_by_name(ctx, [records[i] for i in clashes], [fields[i] for i in clashes],
                                 [versions[i] for i in clashes])
        for index, outcome in zip(clashes, adopted):
            outcomes[index] = outcome
    return outcomes  # type: ignore[return-value]  # every None was replaced above


def _name_taken(result: dict) -> bool:
    return any(m.startswith("The contact name ") and contacts.NAME_CLASH in m
               for m in errors_of(result))


def _adopt_by_name(ctx: BatchContext, records: list[Any], fields: list[dict[str, str]],
                   versions: list[int]) -> list[Outcome]:
    """The business keyed these customers into Xero before connecting us: as a single Send
    does, link each record to THE contact of its name, sending only the fields we hold (and
    our ContactNumber only to a contact without one of its own), so nothing of theirs is
    wiped. The names are looked up in as few calls as the URL length allows; a name with a
    double quote is searched on its own, and cannot fail the others. A name several
    contacts share is left for a person to choose on the record's own panel."""
    found = contacts.lookup(ctx.xero, [record.name for record in records])
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[int, dict]] = []
    for index, record in enumerate(records):
        matches = [c for c in found if contacts.same_name(c, record.name)]
        if len(matches) == 1:
            number = mapping.contact_number(record.record_kind, record.id)
            body = contacts.adoption_body(fields[index], matches[0], number)
            todo.append((index, {**body, "ContactID": matches[0]["ContactID"]}))
        elif len(matches) > 1:
            outcomes[index] = Outcome(False, f'Xero already has {len(matches)} contacts named '
                                             f'"{record.name.strip()}". Open this '
                                             f"{messages.noun(record.record_kind)} and press Send "
                                             "to choose which one it is.", "Name", "validation")
        else:  # taken by a contact the lookup cannot see (archived): Xero's words stand
            outcomes[index] = refused(record.record_kind, [
                f"The contact name {record.name.strip()} is already assigned to another contact."])
    if todo:
        adopt = [body for _, body in todo]
        results = ctx.call("POST", "Contacts", "Contacts", adopt, "contacts-adopt", stamp=False)
        for position, (index, body) in enumerate(todo):
            result = element_for(results, position, "ContactID", body["ContactID"])
            if succeeded(result, "ContactID"):
                ctx.links.record_push(records[index], result["ContactID"], versions[index],
                                      fields[index])
                outcomes[index] = Outcome(True)
            else:
                outcomes[index] = refused(records[index].record_kind, errors_of(result))
    return [outcomes[index] for index in range(len(records))]


# -- invoices -------------------------------------------------------------------------------------

def push_invoices(ctx: BatchContext, invoices: list[Invoice]) -> list[Outcome]:
    """Their clients not in Xero first (one contacts call), then the invoices (one call);
    updates of invoices the accountant has approved are refused before the call."""
    outcomes: dict[int, Outcome] = _send_missing_clients(ctx, invoices)
    outcomes.update(_locked(ctx, [i for i in invoices if i.id not in outcomes]))
    todo = [i for i in invoices if i.id not in outcomes]
    if todo:
        outcomes.update(_send_invoices(ctx, todo))
    return [outcomes[invoice.id] for invoice in invoices]


def _send_missing_clients(ctx: BatchContext, invoices: list[Invoice]) -> dict[int, Outcome]:
    """Invoice id -> a failed Outcome for invoices whose client Xero refused. The clients
    sent are linked and committed at once: a later step failing must not resend them."""
    ctx.links.load([*invoices, *(i.client for i in invoices)])
    clients = list({i.client.id: i.client for i in invoices
                    if ctx.links.find(i.client) is None}.values())
    if not clients:
        return {}
    results = push_contacts(ctx, clients, stamp=False)
    db.session.commit()
    refused_clients = {c.id: o for c, o in zip(clients, results) if not o.ok}
    return {i.id: Outcome(False, f"Its client {i.client.name} could not be sent to Xero. "
                                 f"{refused_clients[i.client_id].message}", "Client", "validation")
            for i in invoices if i.client_id in refused_clients}


def _locked(ctx: BatchContext, invoices: list[Invoice]) -> dict[int, Outcome]:
    """The linked invoices' status in Xero, in as few GETs as the URL length allows (52
    InvoiceIDs already make a URL too long for Xero's servers): AUTHORISED, PAID ... are left
    alone."""
    links = {i.id: ctx.links.find(i) for i in invoices}
    ids = [link.xero_id for link in links.values() if link is not None]
    if not ids:
        return {}
    status: dict[str, str] = {}
    for id_list in mapping.id_lists(ids, ctx.xero.room("Invoices", "IDs")):
        found = ctx.xero.accounting("GET", "Invoices", params={"IDs": id_list})
        status.update((i.get("InvoiceID"), (i.get("Status") or "").upper())
                      for i in found.get("Invoices") or [])
    locked = {}
    for invoice in invoices:
        link = links[invoice.id]
        if link is not None and status.get(link.xero_id) in LOCKED_STATUSES:
            stop = LockedInXero("invoice", status[link.xero_id])
            locked[invoice.id] = Outcome(False, str(stop), stop.field, stop.kind)
    return locked


def _send_invoices(ctx: BatchContext, invoices: list[Invoice]) -> dict[int, Outcome]:
    defaults = mapping.LineDefaults(ctx.connection.sales_account_code, ctx.connection.sales_tax_type)
    codes = _item_codes(ctx.tenant_id, invoices)
    elements, versions = [], []
    for invoice in invoices:
        link = ctx.links.find(invoice)
        contact_id = ctx.links.find(invoice.client).xero_id
        body = mapping.invoice(invoice, contact_id, defaults, create=link is None, item_codes=codes)
        if link is not None:
            body["InvoiceID"] = link.xero_id
        elements.append(body)
        versions.append(invoice.version)
    results = ctx.call("POST", "Invoices", "Invoices", elements, "invoices")
    outcomes = {}
    for index, invoice in enumerate(invoices):
        result = element_for(results, index, "InvoiceNumber", invoice.number)
        if not succeeded(result, "InvoiceID"):
            outcomes[invoice.id] = refused("invoice", errors_of(result))
            continue
        linking.keep_line_ids(invoice, result.get("LineItems") or [])
        ctx.links.record_push(invoice, result["InvoiceID"], versions[index])
        outcomes[invoice.id] = Outcome(True)
    return outcomes


def _item_codes(tenant_id: str, invoices: list[Invoice]) -> dict[int, str]:
    """Product id -> Item Code for the products on these invoices linked in this
    organisation (an ItemCode Xero does not know would refuse the invoice)."""
    products = {line.product_id: line.product for i in invoices for line in i.lines
                if line.product is not None}
    if not products:
        return {}
    linked = set(db.session.scalars(sa.select(XeroLink.record_id).where(
        XeroLink.record_kind == "product", XeroLink.tenant_id == tenant_id,
        XeroLink.record_id.in_(products))))
    return {pid: mapping.item_code(p) for pid, p in products.items() if pid in linked}


# -- items (products) -------------------------------------------------------------------------------

def push_items(ctx: BatchContext, products: list[Product]) -> list[Outcome]:
    ctx.links.load(products)
    elements = []
    for product in products:
        body = mapping.item(product, mapping.item_code(product), product.name[:mapping.ITEM_NAME_MAX],
                            purchase_price=product.cost_price,
                            purchase_account=product.purchase_account_code)
        link = ctx.links.find(product)
        if link is not None:
            body["ItemID"] = link.xero_id
        elements.append(body)
    versions = [product.version for product in products]
    # unitdp=4: our prices carry 4 decimal places; Xero would round them to 2 without it.
    results = ctx.call("POST", "Items", "Items", elements, "items", params={"unitdp": "4"})
    outcomes = []
    for index, (product, body) in enumerate(zip(products, elements)):
        result = element_for(results, index, "Code", body["Code"])
        if not succeeded(result, "ItemID"):
            outcomes.append(refused("product", errors_of(result)))
            continue
        ctx.links.record_push(product, result["ItemID"], versions[index])
        outcomes.append(Outcome(True))
    return outcomes


Sender = Callable[[BatchContext, list[Any]], list[Outcome]]
SENDERS: dict[str, Sender] = {"client": push_contacts, "supplier": push_contacts,
                              "invoice": push_invoices, "product": push_items}
