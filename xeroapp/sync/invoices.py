"""Invoice -> Xero ACCREC invoice (DRAFT on create), its client first when needed.

An update first reads the invoice's status in Xero: once it is AUTHORISED (approved, maybe
already with the customer), PAID, VOIDED or DELETED, the accountant owns it and we change
nothing, rather than edit an approved document behind their back or fail half-way. Every
push writes Xero's LineItemIDs back onto our lines, in order, so the next update edits lines
instead of deleting and recreating them.
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice, XeroLink
from xeroapp.sync import contacts, linking, numbers
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import GoneFromXero, LockedInXero
from xeroapp.xero import mapping
from xeroapp.xero.errors import NotFound, ValidationError

LOCKED_STATUSES = ("AUTHORISED", "PAID", "VOIDED", "DELETED")
DUPLICATE_NUMBER = "must be unique"


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
            answer = ctx.xero.accounting("PUT", "Invoices", json={"Invoices": [body]},
                                         idempotency_key=ctx.key("invoice-create"))
        except ValidationError as exc:
            answer = _adopt_our_earlier_copy(ctx, invoice, contact_id, exc)
            if answer is None:
                numbers.stop_on_clash(exc, invoice)
                raise
    else:
        _check_editable(ctx, invoice, link.xero_id)
        body = mapping.invoice(invoice, contact_id, defaults, create=False, item_codes=item_codes)
        try:
            answer = ctx.xero.accounting("POST", f"Invoices/{link.xero_id}",
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
                            exc: ValidationError) -> dict | None:
    """"Invoice # must be unique": if the invoice holding our number is for our contact and
    still a draft, it is ours from a push whose answer was lost (a timeout, a crash after
    Xero saved it): update it instead of failing. Anyone else's invoice is left alone and the
    error stands."""
    if not invoice.number or not any(DUPLICATE_NUMBER in m for m in exc.messages):
        return None
    found = ctx.xero.accounting("GET", "Invoices", params={"InvoiceNumbers": invoice.number})
    mine = [i for i in found.get("Invoices") or []
            if i.get("Type") == "ACCREC" and (i.get("Contact") or {}).get("ContactID") == contact_id
            and i.get("Status") in ("DRAFT", "SUBMITTED")]
    if len(mine) != 1:
        return None
    body = mapping.invoice(invoice, contact_id,
                           mapping.LineDefaults(ctx.connection.sales_account_code,
                                                ctx.connection.sales_tax_type),
                           create=False, item_codes=_item_codes(ctx, invoice))
    return ctx.xero.accounting("POST", f"Invoices/{mine[0]['InvoiceID']}", json={"Invoices": [body]},
                               idempotency_key=ctx.key("invoice-adopt"))


def _check_editable(ctx: PushContext, invoice: Invoice, invoice_id: str) -> None:
    try:
        current = ctx.xero.accounting("GET", f"Invoices/{invoice_id}")
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
