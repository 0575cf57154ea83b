"""One batch of a bulk run, per kind: the elements of ONE batched request to Xero (up to 50,
``summarizeErrors=false``) and each element's answer mapped back to its record.

With summarizeErrors=false Xero answers 200 with every element in request order, each with
StatusAttributeString OK/WARNING/ERROR and, when refused, its ValidationErrors; the valid
ones are saved. Elements are paired with records by position, checked against the number we
sent (ContactNumber, InvoiceNumber, Item Code) so a reordered answer cannot link a record to
someone else's object; an invoice sent without a number (Xero numbers it) is checked by its
contact, date, reference and lines instead (sync/numbers.answer_for).

Every request carries an Idempotency-Key derived from its body, stored on the rows of the
records it carries before it goes. A re-send of those rows (the batch's scheduled retry after
a 429 or a lost answer; the sweeper or a reconnect after a dead worker, bulk.jobs.run_single)
sends exactly those rows together again, so the request and its key are the same and Xero
replays instead of creating twice; a batch whose records changed meanwhile is a different
request with a different key. Past the key's lifetime (6 minutes) our copies are still found:
numbered invoices by the number clash below, invoices Xero numbers by their content
(sync/our_copies.py), contacts by our ContactNumber, which is ours alone, so a POST updates
the contact created the first time instead of duplicating it (one adopted by name keeps its
own spelling: ``_adopted_before``). Contacts already linked, or adopted by name, are paired
with their answer by ContactID.

Invoices and items not linked yet are only ever CREATED (PUT): Xero's POST would update
whatever already holds the number or code instead of refusing, rewriting the business's
own INV-0001. A number Xero refuses as taken is looked up
(all of the batch's at once): our own earlier copy (a re-send whose first answer was lost) is
adopted by its InvoiceID, anyone else's is left alone and only that record fails, naming the
number (sync/number_clash.py). An item code already held is linked to that item, untouched,
as a purchase order's push links its products (sync/items.py). Linked records are updated by
their ID (POST), which can only ever touch that object.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models import Invoice, Product, PushJob, Workspace, XeroConnection, XeroLink
from xeroapp.sync import (contacts, items, linking, messages, number_clash, numbers, our_copies,
                          xero_locks)
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


def refused_document(record: Any, xero_messages: list[str]) -> Outcome:
    """As ``refused``, but a number Xero already holds is named, with where to change it."""
    if record.number and numbers.is_clash(record.record_kind, xero_messages):
        return Outcome(False, numbers.clash_message(record, xero_messages), "Number", "validation")
    return refused(record.record_kind, xero_messages)


# Xero's answer had no element that is surely this document: nothing is linked rather than
# risk linking it to another one.
UNMATCHED = ("Xero's answer for this invoice could not be told apart from the others in its "
             "batch, so it was not linked. Check Xero for it before sending it again.")


@dataclass
class BatchContext:
    """The connection and run a batch belongs to, and its rows by record id (each call's
    key is stamped on the rows of the records it carries)."""

    xero: XeroClient
    connection: XeroConnection
    run_id: int
    rows: dict[int, PushJob] = field(default_factory=dict)
    links: linking.LinkIndex = field(init=False)

    def __post_init__(self) -> None:
        self.links = linking.LinkIndex(self.connection.tenant_id)

    @property
    def tenant_id(self) -> str:
        return self.connection.tenant_id

    def call(self, method: str, resource: str, plural: str, elements: list[dict], step: str,
             *, params: dict | None = None, carrying: list[Any] = ()) -> list[dict]:
        """One batched request; the answer's elements, in request order.

        The key is stored (committed) BEFORE the call on the rows of the records it carries
        (``carrying``): their own record's create or update. Should the answer be lost (a
        timeout, a killed worker), every later path re-sends those rows together, as this
        same request (bulk.jobs.run_single), so Xero replays its answer. An invoice run's
        clients call carries the rows of the invoices it is for. Calls that only follow up
        on an answer (adoptions) carry no row: they are made again from the replayed one."""
        key = batch_key(self.run_id, step, elements)
        if carrying:
            stamp_key([self.rows[record.id] for record in carrying], key)
            self.commit()
        answer = self.xero.accounting(method, resource, params={**BATCH_PARAMS, **(params or {})},
                                      json={plural: elements}, idempotency_key=key)
        return answer.get(plural) or []

    def row_of(self, record: Any) -> PushJob:
        return self.rows[record.id]

    def commit(self) -> None:
        """Commit the batch's work so far, the links it made included."""
        self.links.save()
        db.session.commit()


def stamp_key(rows: list[PushJob], key: str) -> None:
    """Store ``key`` on ``rows`` in one UPDATE (the caller commits); the loaded rows take
    it too."""
    db.session.execute(sa.update(PushJob).where(PushJob.id.in_([row.id for row in rows]))
                       .values(idempotency_key=key),
                       execution_options={"synchronize_session": False})
    for row in rows:
        so.attributes.set_committed_value(row, "idempotency_key", key)


def batch_key(run_id: int, step: str, elements: list[dict]) -> str:
    """Derived from the run, the step and every element sent: the same rows re-sent with the
    same records give the same key (Xero replays), a record edited meanwhile a new one."""
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

def push_contacts(ctx: BatchContext, records: list[Any], *,
                  carrying: list[Any] | None = None) -> list[Outcome]:
    """POST /Contacts with every record: a linked one by ContactID with the fields changed
    since its last push, a new one with our ContactNumber and every field we hold. Records
    refused because Xero already has a contact of that name are then adopted. ``carrying``:
    the records whose rows this call is for (the records themselves; for an invoice run, the
    invoices these clients are sent for)."""
    carrying = records if carrying is None else carrying
    ctx.links.load(records)
    adopted = (_adopted_before(ctx, [r for r in records if ctx.links.find(r) is None])
               if any(ctx.row_of(r).idempotency_key for r in carrying) else {})
    elements, fields, keys = [], [], []
    for record in records:
        ours = mapping.contact_fields(record)
        link = ctx.links.find(record)
        number = mapping.contact_number(record.record_kind, record.id)
        if link is not None:
            body = mapping.contact_body(mapping.contact_changes(ours, link.pushed_fields))
            body["ContactID"] = link.xero_id
            keys.append(("ContactID", link.xero_id))
        elif record.id in adopted:
            found = adopted[record.id]
            body = {**contacts.adoption_body(ours, found, number), "ContactID": found["ContactID"]}
            keys.append(("ContactID", found["ContactID"]))
        else:
            body = mapping.contact(record, number)
            keys.append(("ContactNumber", number))
        elements.append(body)
        fields.append(ours)
    versions = [record.version for record in records]  # what was sent; a commit expires them
    results = ctx.call("POST", "Contacts", "Contacts", elements, "contacts", carrying=carrying)
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


def _adopted_before(ctx: BatchContext, records: list[Any]) -> dict[int, dict]:
    """Record id -> the contact an earlier try of this batch adopted by name, for a batch
    sent again after its answer was lost.

    Adopting set our ContactNumber on the business's contact (when it had none), so the
    create element, which carries that number, would now update it (POST matches by
    ContactNumber) and rename it to our spelling ("Bayside Café" over their "BAYSIDE
    CAFÉ"). So the numbers are looked up first (one GET, on re-sends only); a contact that
    carries ours under our name spelt otherwise was adopted, and is updated by its ContactID
    without the name, as adopting does. A contact we created has our very name: its element
    stays as it was, so the batch remains the same request and Xero can still replay it."""
    by_number = {mapping.contact_number(r.record_kind, r.id): r for r in records}
    if not by_number:
        return {}
    found = contacts.carrying_numbers(ctx.xero, list(by_number))
    return {by_number[number].id: contact for number, contact in found.items()
            if contacts.spelt_otherwise(contact, by_number[number].name)}


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
        results = ctx.call("POST", "Contacts", "Contacts", adopt, "contacts-adopt")
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
    updates of invoices Xero takes no more changes to (paid, voided, deleted) are stopped
    before the call; new ones are created in the status of Settings > Invoices."""
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
    results = push_contacts(ctx, clients, carrying=[i for i in invoices
                                                    if ctx.links.find(i.client) is None])
    ctx.commit()
    refused_clients = {c.id: o for c, o in zip(clients, results) if not o.ok}
    return {i.id: Outcome(False, f"Its client {i.client.name} could not be sent to Xero. "
                                 f"{refused_clients[i.client_id].message}", "Client", "validation")
            for i in invoices if i.client_id in refused_clients}


def _locked(ctx: BatchContext, invoices: list[Invoice]) -> dict[int, Outcome]:
    """The linked invoices Xero takes no more changes to (paid, even in part; voided;
    deleted: sync/xero_locks.py), left alone. A lock already read back onto the link decides
    without a call; the others' status is read in as few GETs as the URL length allows (52
    InvoiceIDs already make a URL too long for Xero's servers)."""
    links = {i.id: ctx.links.find(i) for i in invoices}
    locks = {i.id: xero_locks.link_lock(links[i.id]) for i in invoices}
    ids = [link.xero_id for iid, link in links.items() if link is not None and locks[iid] is None]
    found = _read_invoices(ctx, ids) if ids else {}
    locked = {}
    for invoice in invoices:
        link = links[invoice.id]
        lock = locks[invoice.id] or (xero_locks.document_lock("invoice", found[link.xero_id])
                                     if link is not None and link.xero_id in found else None)
        if lock is not None:
            stop = LockedInXero("invoice", lock)
            locked[invoice.id] = Outcome(False, str(stop), stop.field, stop.kind)
    return locked


def _read_invoices(ctx: BatchContext, ids: list[str]) -> dict[str, dict]:
    """InvoiceID -> the invoice as Xero holds it (Status, AmountPaid, Payments)."""
    found: dict[str, dict] = {}
    for id_list in mapping.id_lists(ids, ctx.xero.room("Invoices", "IDs", mapping.FOUR_DP)):
        answer = ctx.xero.accounting("GET", "Invoices", params={"IDs": id_list, **mapping.FOUR_DP})
        found.update((i.get("InvoiceID"), i) for i in answer.get("Invoices") or [])
    return found


def _send_invoices(ctx: BatchContext, invoices: list[Invoice]) -> dict[int, Outcome]:
    """The new invoices created in one PUT, the linked ones updated in one POST by id. A
    new invoice without a number that an earlier try may have created already is looked
    for first (sync/our_copies.py): found, it is updated by its id instead."""
    defaults = mapping.LineDefaults(ctx.connection.sales_account_code, ctx.connection.sales_tax_type)
    codes = _item_codes(ctx.tenant_id, invoices)
    versions = {invoice.id: invoice.version for invoice in invoices}  # what the bodies carry
    status = db.session.get(Workspace, ctx.connection.workspace_id).invoice_xero_status
    new = [i for i in invoices if ctx.links.find(i) is None]
    linked = [i for i in invoices if ctx.links.find(i) is not None]
    outcomes: dict[int, Outcome] = {}
    if new:
        bodies = {i.id: mapping.invoice(i, _contact_id(ctx, i), defaults, create=True,
                                        item_codes=codes, status=status) for i in new}
        found = _copies_in_xero(ctx, new, bodies)
        create, mine = [], []
        for invoice in new:
            verdict = found.get(invoice.id)
            if verdict is None:
                create.append(invoice)
            elif isinstance(verdict, str):
                mine.append((invoice, verdict))
            else:  # a doubtful match: neither adopted nor sent again
                outcomes[invoice.id] = Outcome(False, str(verdict), verdict.field, verdict.kind)
        if create:
            outcomes.update(_create_invoices(ctx, create, [bodies[i.id] for i in create],
                                             defaults, codes, versions))
        if mine:
            outcomes.update(_update_ours(ctx, mine, defaults, codes, versions))
    if linked:
        bodies_of_linked = [{**mapping.invoice(i, _contact_id(ctx, i), defaults, create=False,
                                               item_codes=codes),
                             "InvoiceID": ctx.links.find(i).xero_id} for i in linked]
        results = ctx.call("POST", "Invoices", "Invoices", bodies_of_linked, "invoices-update",
                           params=mapping.FOUR_DP, carrying=linked)
        _record_invoices(ctx, linked, bodies_of_linked, results, versions, outcomes, adopt=False)
    return outcomes


def _create_invoices(ctx: BatchContext, invoices: list[Invoice], bodies: list[dict],
                     defaults: mapping.LineDefaults, codes: dict[int, str],
                     versions: dict[int, int]) -> dict[int, Outcome]:
    """One PUT. Each unnumbered invoice's row keeps what it sent (committed with the key,
    before the call) until Xero's answer for it arrives: till then it may be in Xero."""
    for invoice, body in zip(invoices, bodies):
        if not body.get("InvoiceNumber"):
            ctx.row_of(invoice).sent_fingerprint = numbers.fingerprint(body)
    results = ctx.call("PUT", "Invoices", "Invoices", bodies, "invoices", params=mapping.FOUR_DP,
                       carrying=invoices)
    outcomes: dict[int, Outcome] = {}
    clashes = _record_invoices(ctx, invoices, bodies, results, versions, outcomes)
    if clashes:
        outcomes.update(_adopt_invoices(ctx, clashes, defaults, codes, versions))
    return outcomes


def _copies_in_xero(ctx: BatchContext, invoices: list[Invoice],
                    bodies: dict[int, dict]) -> dict[int, str | our_copies.DoubtfulCopy | None]:
    """For the unnumbered invoices an earlier try may have created (their rows, or earlier
    ones, still hold what was sent): our copy's InvoiceID, a DoubtfulCopy, or None."""
    unnumbered = [i for i in invoices if not bodies[i.id].get("InvoiceNumber")]
    sent = our_copies.sent_fingerprints(ctx.tenant_id, "invoice", [i.id for i in unnumbered])
    wanted = [our_copies.Wanted(i, _contact_id(ctx, i), i.client.name,
                                {numbers.fingerprint(bodies[i.id]), *sent[i.id]})
              for i in unnumbered if i.id in sent]
    return our_copies.find_invoices(ctx.xero, ctx.tenant_id, wanted) if wanted else {}


def _contact_id(ctx: BatchContext, invoice: Invoice) -> str:
    return ctx.links.find(invoice.client).xero_id


def _record_invoices(ctx: BatchContext, invoices: list[Invoice], bodies: list[dict],
                     results: list[dict],
                     versions: dict[int, int], outcomes: dict[int, Outcome], *,
                     adopt: bool = True) -> list[tuple[Invoice, list[str]]]:
    """Link each invoice Xero saved, fail each it refused; returns the creates refused for
    their number (with Xero's words), for ``_adopt_invoices``."""
    clashes = []
    for index, (invoice, body) in enumerate(zip(invoices, bodies)):
        result = numbers.answer_for(results, index, body, "InvoiceNumber")
        if not result:
            outcomes[invoice.id] = Outcome(False, UNMATCHED, None, "validation")
            continue
        if invoice.id in ctx.rows:  # Xero answered for what this row sent
            ctx.row_of(invoice).sent_fingerprint = None
        if succeeded(result, "InvoiceID"):
            linking.keep_line_ids(invoice, result.get("LineItems") or [])
            numbers.keep_xero_number(invoice, result.get("InvoiceNumber"))
            ctx.links.record_push(invoice, result["InvoiceID"], versions[invoice.id],
                                  sent_status=body.get("Status"),  # None for updates
                                  answer=result)
            outcomes[invoice.id] = Outcome(True)
        elif adopt and invoice.number and number_clash.is_clash(errors_of(result)):
            clashes.append((invoice, errors_of(result)))
        else:
            outcomes[invoice.id] = refused_document(invoice, errors_of(result))
    return clashes


def _adopt_invoices(ctx: BatchContext, clashes: list[tuple[Invoice, list[str]]],
                    defaults: mapping.LineDefaults, codes: dict[int, str],
                    versions: dict[int, int]) -> dict[int, Outcome]:
    """Our own earlier copies (a re-send whose first answer was lost) updated by their
    InvoiceID in one POST; each number someone else holds fails its own record."""
    verdicts = number_clash.invoice_verdicts(ctx.xero, [
        number_clash.clash_of(invoice, _contact_id(ctx, invoice), words)
        for invoice, words in clashes])
    outcomes: dict[int, Outcome] = {}
    mine: list[tuple[Invoice, str]] = []
    for (invoice, _), verdict in zip(clashes, verdicts):
        if isinstance(verdict, number_clash.NumberTaken):
            outcomes[invoice.id] = Outcome(False, str(verdict), verdict.field, verdict.kind)
        else:
            mine.append((invoice, verdict))
    if mine:
        outcomes.update(_update_ours(ctx, mine, defaults, codes, versions))
    return outcomes


def _update_ours(ctx: BatchContext, mine: list[tuple[Invoice, str]],
                 defaults: mapping.LineDefaults, codes: dict[int, str],
                 versions: dict[int, int]) -> dict[int, Outcome]:
    """Our own copies in Xero, found by number or by content, updated by their InvoiceID
    (which can only ever touch that invoice) in one POST, and linked."""
    bodies = [{**mapping.invoice(invoice, _contact_id(ctx, invoice), defaults, create=False,
                                 item_codes=codes), "InvoiceID": invoice_id}
              for invoice, invoice_id in mine]
    results = ctx.call("POST", "Invoices", "Invoices", bodies, "invoices-adopt",
                       params=mapping.FOUR_DP)
    outcomes: dict[int, Outcome] = {}
    _record_invoices(ctx, [invoice for invoice, _ in mine], bodies, results, versions, outcomes,
                     adopt=False)
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
    """The new items created in one PUT (a code Xero already holds is linked to that item,
    untouched), the linked ones updated in one POST by ItemID."""
    ctx.links.load(products)
    versions = {product.id: product.version for product in products}
    new = [p for p in products if ctx.links.find(p) is None]
    linked = [p for p in products if ctx.links.find(p) is not None]
    outcomes: dict[int, Outcome] = {}
    if new:
        bodies = [_item_body(p) for p in new]
        results = ctx.call("PUT", "Items", "Items", bodies, "items", params=mapping.FOUR_DP,
                           carrying=new)
        taken = _record_items(ctx, new, bodies, results, versions, outcomes)
        if taken:
            outcomes.update(_link_taken_codes(ctx, taken, versions))
    if linked:
        bodies = [{**_item_body(p), "ItemID": ctx.links.find(p).xero_id} for p in linked]
        results = ctx.call("POST", "Items", "Items", bodies, "items-update", params=mapping.FOUR_DP,
                           carrying=linked)
        _record_items(ctx, linked, bodies, results, versions, outcomes)
    return [outcomes[product.id] for product in products]


def _item_body(product: Product) -> dict:
    return mapping.item(product, mapping.item_code(product), product.name[:mapping.ITEM_NAME_MAX],
                        purchase_price=product.cost_price,
                        purchase_account=product.purchase_account_code)


def _record_items(ctx: BatchContext, products: list[Product], bodies: list[dict],
                  results: list[dict], versions: dict[int, int],
                  outcomes: dict[int, Outcome]) -> list[tuple[Product, str, list[str]]]:
    """Link each item Xero saved, fail each it refused; returns the creates refused because
    the code is taken: (product, code, Xero's words)."""
    taken = []
    for index, (product, body) in enumerate(zip(products, bodies)):
        result = element_for(results, index, "Code", body["Code"])
        if succeeded(result, "ItemID"):
            ctx.links.record_push(product, result["ItemID"], versions[product.id])
            outcomes[product.id] = Outcome(True)
        elif "ItemID" not in body and any(items.CODE_TAKEN in m for m in errors_of(result)):
            taken.append((product, body["Code"], errors_of(result)))
        else:
            outcomes[product.id] = refused("product", errors_of(result))
    return taken


def _link_taken_codes(ctx: BatchContext, taken: list[tuple[Product, str, list[str]]],
                      versions: dict[int, int]) -> dict[int, Outcome]:
    """An Item with the product's code is that product (as for a purchase order's push):
    link it and leave it as Xero has it. All the codes are looked up together."""
    found = items.find(ctx.xero, [code for _, code, _ in taken])
    outcomes = {}
    for product, code, words in taken:
        item = found.get(code.casefold())
        if item is None:  # taken by an item the lookup cannot see: Xero's words stand
            outcomes[product.id] = refused("product", words)
            continue
        ctx.links.record_push(product, item["ItemID"], versions[product.id])
        outcomes[product.id] = Outcome(True)
    return outcomes


Sender = Callable[[BatchContext, list[Any]], list[Outcome]]
SENDERS: dict[str, Sender] = {"client": push_contacts, "supplier": push_contacts,
                              "invoice": push_invoices, "product": push_items}
