"""Invoice -> Xero ACCREC invoice, its client first when needed. A new invoice is created in
the status chosen in Settings > Invoices (Draft, Awaiting approval or Awaiting payment); an
update never sends Status.

The steps every document push shares (create or adopt our earlier copy, the editable check
before an update, line ids written back) are in sync/document_push.py; here is what is the
invoice's own. Xero takes updates while it is DRAFT, SUBMITTED or AUTHORISED without a
payment; once paid (even in part), VOIDED or DELETED an update changes nothing and says why
(sync/xero_locks.py). Every call
carries unitdp=4 (mapping.FOUR_DP), so a 4-place unit price reaches Xero, and Xero's totals,
as it is here.
"""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice, Workspace, XeroLink
from xeroapp.sync import contacts, document_push, linking, number_clash, our_copies
from xeroapp.sync.context import PushContext
from xeroapp.sync.document_push import NewDocument, XeroDocument
from xeroapp.sync.outcomes import LockedInXero
from xeroapp.xero import mapping

INVOICES = XeroDocument(noun="invoice", path="Invoices", id_field="InvoiceID",
                        number_field="InvoiceNumber", key="invoice", record_kind="invoice",
                        locked=lambda status: LockedInXero("invoice", status),
                        params=mapping.FOUR_DP)


def push(ctx: PushContext, invoice: Invoice) -> XeroLink:
    document_push.stop_if_known_locked(ctx, INVOICES, invoice)
    contact_id = contacts.ensure(ctx, invoice.client)
    link = linking.find(invoice, ctx.tenant_id)
    item_codes = _item_codes(ctx, invoice)
    version = invoice.version  # what the body below carries, even if edited meanwhile
    status = db.session.get(Workspace, invoice.workspace_id).invoice_xero_status

    def body(create: bool) -> dict:
        return mapping.invoice(invoice, contact_id, _line_defaults(ctx), create=create,
                               item_codes=item_codes, status=status)

    if link is None:
        answer = document_push.send_new(ctx, INVOICES, invoice, NewDocument(
            body=body(create=True), contact_id=contact_id,
            find_copy=lambda fingerprints: _find_copy(ctx, invoice, contact_id, fingerprints),
            holder_verdict=lambda clash: number_clash.invoice_verdicts(ctx.xero, [clash])[0],
            copy_body=lambda: body(create=False)))
    else:
        answer = document_push.update(ctx, INVOICES, invoice, link.xero_id, body(create=False))
    return document_push.record_answer(ctx, INVOICES, invoice, answer, version,
                                       sent_status=status if link is None else None)


def _line_defaults(ctx: PushContext) -> mapping.LineDefaults:
    return mapping.LineDefaults(ctx.connection.sales_account_code, ctx.connection.sales_tax_type)


def _find_copy(ctx: PushContext, invoice: Invoice, contact_id: str,
               fingerprints: set[str]) -> str | our_copies.DoubtfulCopy | None:
    """Our copy in Xero of an invoice sent without a number, found by its content."""
    wanted = our_copies.Wanted(invoice, contact_id, invoice.client.name, fingerprints)
    return our_copies.find_invoices(ctx.xero, ctx.tenant_id, [wanted])[invoice.id]


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
