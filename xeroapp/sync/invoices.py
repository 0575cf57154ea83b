"""Invoice -> Xero ACCREC invoice (DRAFT on create), its client first when needed.

A new invoice is only ever created (PUT): POST would update any invoice already holding our
number. A create refused for its number adopts our own earlier copy or stops, naming the
number (sync/number_clash.py). One sent without a number (Xero numbers it) whose earlier
try may have reached Xero is looked for by its content first (sync/our_copies.py).

An update first reads the invoice's status in Xero: once it is AUTHORISED (approved, maybe
already with the customer), PAID, VOIDED or DELETED, the accountant owns it and we change
nothing, rather than edit an approved document behind their back or fail half-way. Every
push writes Xero's LineItemIDs back onto our lines, in order, so the next update edits lines
instead of deleting and recreating them. Every call carries unitdp=4 (mapping.FOUR_DP), so
a 4-place unit price reaches Xero, and Xero's totals, as it is here.
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice, XeroLink
from xeroapp.sync import contacts, linking, number_clash, numbers, our_copies
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import GoneFromXero, LockedInXero
from xeroapp.xero import mapping
from xeroapp.xero.errors import NotFound, ValidationError

LOCKED_STATUSES = ("AUTHORISED", "PAID", "VOIDED", "DELETED")


def push(ctx: PushContext, invoice: Invoice) -> XeroLink:
    contact_id = contacts.ensure(ctx, invoice.client)
    link = linking.find(invoice, ctx.tenant_id)
    defaults = mapping.LineDefaults(ctx.connection.sales_account_code,
                                    ctx.connection.sales_tax_type)
    item_codes = _item_codes(ctx, invoice)
    version = invoice.version  # what the body below carries, even if edited meanwhile
    if link is None:
        body = mapping.invoice(invoice, contact_id, defaults, create=True, item_codes=item_codes)
        copy_id = _copy_sent_before(ctx, invoice, contact_id, body)
        if copy_id is not None:
            answer = _update_our_copy(ctx, invoice, contact_id, copy_id)
        else:
            answer = _create(ctx, invoice, contact_id, body)
    else:
        _check_editable(ctx, invoice, link.xero_id)
        body = mapping.invoice(invoice, contact_id, defaults, create=False, item_codes=item_codes)
        try:
            answer = ctx.xero.accounting("POST", f"Invoices/{link.xero_id}", params=mapping.FOUR_DP,
                                         json={"Invoices": [body]},
                                         idempotency_key=ctx.key("invoice-update", link.xero_id, body))
        except ValidationError as exc:  # renumbered here to a number Xero already holds
            numbers.stop_on_clash(exc, invoice)
            raise
    result = (answer.get("Invoices") or [{}])[0]
    linking.keep_line_ids(invoice, result.get("LineItems") or [])
    numbers.keep_xero_number(invoice, result.get("InvoiceNumber"))
    return linking.record_push(invoice, ctx.tenant_id, result["InvoiceID"], version)


def _create(ctx: PushContext, invoice: Invoice, contact_id: str, body: dict) -> dict:
    """PUT the invoice. Sent without a number, what it sends is kept on the row (committed
    before the call) until Xero answers for it: till then it may be in Xero, and every
    later push of it looks for that copy first (sync/our_copies.py)."""
    if not body.get("InvoiceNumber"):
        ctx.job.sent_fingerprint = numbers.fingerprint(body)
        ctx.commit_step()
    try:
        answer = ctx.xero.accounting("PUT", "Invoices", params=mapping.FOUR_DP,
                                     json={"Invoices": [body]},
                                     idempotency_key=ctx.key("invoice-create", body))
    except ValidationError as exc:
        if ctx.job.sent_fingerprint is not None:  # Xero answered: it did not save this one
            ctx.job.sent_fingerprint = None
            ctx.commit_step()
        if not invoice.number or not number_clash.is_clash(exc.messages):
            raise
        return _adopt_our_earlier_copy(ctx, invoice, contact_id, exc.messages)
    ctx.job.sent_fingerprint = None  # committed with the link
    return answer


def _copy_sent_before(ctx: PushContext, invoice: Invoice, contact_id: str,
                      body: dict) -> str | None:
    """The InvoiceID of our copy of an unnumbered invoice an earlier try may have created
    (its answer lost), or None: not sent before, or not in Xero. Raises DoubtfulCopy when
    Xero holds copies that cannot be told apart."""
    if body.get("InvoiceNumber"):  # a numbered one is recognised by its number instead
        return None
    sent = our_copies.sent_fingerprints(ctx.tenant_id, "invoice", [invoice.id]).get(invoice.id)
    if not sent:
        return None
    wanted = our_copies.Wanted(invoice, contact_id, invoice.client.name,
                               {numbers.fingerprint(body), *sent})
    verdict = our_copies.find_invoices(ctx.xero, ctx.tenant_id, [wanted])[invoice.id]
    if isinstance(verdict, our_copies.DoubtfulCopy):
        raise verdict
    if verdict is not None:
        ctx.job.sent_fingerprint = None  # found: committed with the link
    return verdict


def _adopt_our_earlier_copy(ctx: PushContext, invoice: Invoice, contact_id: str,
                            xero_messages: list[str]) -> dict:
    """"Invoice # must be unique": update the holder if it is our own earlier copy (a push
    whose answer was lost), else raise NumberTaken: anyone else's invoice is left alone."""
    clash = number_clash.clash_of(invoice, contact_id, xero_messages)
    (verdict,) = number_clash.invoice_verdicts(ctx.xero, [clash])
    if isinstance(verdict, number_clash.NumberTaken):
        raise verdict
    return _update_our_copy(ctx, invoice, contact_id, verdict)


def _update_our_copy(ctx: PushContext, invoice: Invoice, contact_id: str, invoice_id: str) -> dict:
    """Our own earlier copy, updated by its InvoiceID to what the invoice says now."""
    body = mapping.invoice(invoice, contact_id,
                           mapping.LineDefaults(ctx.connection.sales_account_code,
                                                ctx.connection.sales_tax_type),
                           create=False, item_codes=_item_codes(ctx, invoice))
    return ctx.xero.accounting("POST", f"Invoices/{invoice_id}", params=mapping.FOUR_DP,
                               json={"Invoices": [body]},
                               idempotency_key=ctx.key("invoice-adopt", invoice_id, body))


def _check_editable(ctx: PushContext, invoice: Invoice, invoice_id: str) -> None:
    try:
        current = ctx.xero.accounting("GET", f"Invoices/{invoice_id}", params=mapping.FOUR_DP)
    except NotFound:
        linking.forget(invoice, ctx.tenant_id)
        ctx.commit_step()
        raise GoneFromXero(f"Invoice {invoice.label} no longer exists in Xero. "
                           "Send it again to create it there.") from None
    status = ((current.get("Invoices") or [{}])[0].get("Status") or "").upper()
    if status in LOCKED_STATUSES:
        raise LockedInXero("invoice", status)


def _item_codes(ctx: PushContext, invoice: Invoice) -> dict[int, str]:
    """Product id -> Item Code, for the invoice's products that are linked in this
    organisation (an ItemCode Xero does not know would reject the whole invoice)."""
    products = {line.product_id: line.product for line in invoice.lines if line.product is not None}
    if not products:
        return {}
    linked = set(db.session.scalars(sa.select(XeroLink.record_id).where(
        XeroLink.workspace_id == invoice.workspace_id, XeroLink.record_kind == "product",
        XeroLink.tenant_id == ctx.tenant_id, XeroLink.record_id.in_(products))))
    return {pid: (p.xero_code or p.sku) for pid, p in products.items() if pid in linked}
