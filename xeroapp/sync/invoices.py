"""Invoice -> Xero ACCREC invoice (DRAFT on create), its client first when needed.

A new invoice is only ever created (PUT): POST would update any invoice already holding our
number. A create refused for its number adopts our own earlier copy or stops, naming the
number (sync/number_clash.py).

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
from xeroapp.sync import contacts, linking, number_clash, numbers
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
        try:
            answer = ctx.xero.accounting("PUT", "Invoices", params=mapping.FOUR_DP,
                                         json={"Invoices": [body]},
                                         idempotency_key=ctx.key("invoice-create"))
        except ValidationError as exc:
            if not invoice.number or not number_clash.is_clash(exc.messages):
                raise
            answer = _adopt_our_earlier_copy(ctx, invoice, contact_id, exc.messages)
    else:
        _check_editable(ctx, invoice, link.xero_id)
        body = mapping.invoice(invoice, contact_id, defaults, create=False, item_codes=item_codes)
        try:
            answer = ctx.xero.accounting("POST", f"Invoices/{link.xero_id}", params=mapping.FOUR_DP,
                                         json={"Invoices": [body]},
                                         idempotency_key=ctx.key("invoice-update"))
        except ValidationError as exc:  # renumbered here to a number Xero already holds
            numbers.stop_on_clash(exc, invoice)
            raise
    result = (answer.get("Invoices") or [{}])[0]
    linking.keep_line_ids(invoice, result.get("LineItems") or [])
    numbers.keep_xero_number(invoice, result.get("InvoiceNumber"))
    return linking.record_push(invoice, ctx.tenant_id, result["InvoiceID"], version)


def _adopt_our_earlier_copy(ctx: PushContext, invoice: Invoice, contact_id: str,
                            xero_messages: list[str]) -> dict:
    """"Invoice # must be unique": update the holder if it is our own earlier copy (a push
    whose answer was lost), else raise NumberTaken: anyone else's invoice is left alone."""
    clash = number_clash.clash_of(invoice, contact_id, xero_messages)
    (verdict,) = number_clash.invoice_verdicts(ctx.xero, [clash])
    if isinstance(verdict, number_clash.NumberTaken):
        raise verdict
    body = mapping.invoice(invoice, contact_id,
                           mapping.LineDefaults(ctx.connection.sales_account_code,
                                                ctx.connection.sales_tax_type),
                           create=False, item_codes=_item_codes(ctx, invoice))
    return ctx.xero.accounting("POST", f"Invoices/{verdict}", params=mapping.FOUR_DP, json={"Invoices": [body]},
                               idempotency_key=ctx.key("invoice-adopt"))


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
