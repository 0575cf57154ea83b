"""PurchaseOrder -> Xero PurchaseOrder: its products checked as Items first, its supplier
sent as a contact when needed, then the order created or updated.

Order of steps, and why:
1. Every product of the order is looked up in one call (sync.items). If some are missing the
   push stops before anything is written to Xero (no contact created for an order that
   cannot go yet), and the missing-products dialog takes over.
2. The supplier: linked, found by number or name, or created (sync.contacts, as for clients).
3. Create (PUT, Status from Settings > Purchase orders) or update the linked order (POST
   /PurchaseOrders/{id}, never a second order), as every document push does
   (sync/document_push.py). Once BILLED (a bill was raised from it) or DELETED in Xero,
   Xero refuses edits, so an update changes nothing and says so. An open order with our
   number for our supplier is our own earlier copy (a lost answer); one sent without a
   number is looked for by its date and content.

No unitdp here: /PurchaseOrders has no such parameter in Xero's spec, and an order's unit
amounts keep 4 decimal places as sent (mapping.FOUR_DP is for Invoices and Items).
"""
from __future__ import annotations

from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder, Workspace, XeroLink
from xeroapp.sync import contacts, document_push, items, linking, number_clash, our_copies
from xeroapp.sync.context import PushContext
from xeroapp.sync.document_push import NewDocument, XeroDocument
from xeroapp.sync.outcomes import LockedInXero, PushStopped
from xeroapp.xero import mapping

LOCKED_REASONS = {
    "BILLED": "a bill has been raised from it in Xero",
    "DELETED": "it was deleted in Xero",
}


class PurchaseOrderLocked(LockedInXero):
    """Xero keeps BILLED and DELETED orders as they are (its API refuses the edit)."""

    def __init__(self, status: str) -> None:
        PushStopped.__init__(
            self, f"This purchase order is {status} in Xero ({LOCKED_REASONS[status]}), so it "
                  "can no longer be changed from here. Your changes are kept in this app; "
                  "make any correction in Xero itself.", field="Status")
        self.status = status


PURCHASE_ORDERS = XeroDocument(noun="purchase order", path="PurchaseOrders",
                               id_field="PurchaseOrderID", number_field="PurchaseOrderNumber",
                               key="po", record_kind="purchase_order",
                               locked=PurchaseOrderLocked)


def push(ctx: PushContext, order: PurchaseOrder) -> XeroLink:
    document_push.stop_if_known_locked(ctx, PURCHASE_ORDERS, order)
    products = [line.product for line in order.lines if line.product is not None]
    item_codes = items.ensure_present(ctx.xero, ctx.tenant_id, products) if products else {}
    contact_id = contacts.ensure(ctx, order.supplier)
    defaults = mapping.LineDefaults(ctx.connection.purchase_account_code,
                                    ctx.connection.purchase_tax_type)
    link = linking.find(order, ctx.tenant_id)
    version = order.version  # what the body below carries, even if edited meanwhile
    status = None
    if link is None:
        status = db.session.get(Workspace, order.workspace_id).po_xero_status
        body = mapping.purchase_order(order, contact_id, defaults, status=status,
                                      item_codes=item_codes)
        answer = document_push.send_new(ctx, PURCHASE_ORDERS, order, NewDocument(
            body=body, contact_id=contact_id,
            find_copy=lambda fingerprints: _find_copy(ctx, order, contact_id, body, fingerprints),
            holder_verdict=lambda clash: number_clash.purchase_order_verdict(ctx.xero, clash),
            copy_body=lambda: _copy_body(body)))
    else:
        body = mapping.purchase_order(order, contact_id, defaults, status=None,
                                      item_codes=item_codes)
        answer = document_push.update(ctx, PURCHASE_ORDERS, order, link.xero_id, body)
    return document_push.record_answer(ctx, PURCHASE_ORDERS, order, answer, version,
                                       sent_status=status)


def _find_copy(ctx: PushContext, order: PurchaseOrder, contact_id: str, body: dict,
               fingerprints: set[str]) -> str | our_copies.DoubtfulCopy | None:
    """Our copy in Xero of an order sent without a number, found by its date and content."""
    wanted = our_copies.Wanted(order, contact_id, order.supplier.name, fingerprints)
    return our_copies.find_purchase_order(ctx.xero, ctx.tenant_id, wanted, body["Date"])


def _copy_body(body: dict) -> dict:
    """The body that updates our own earlier copy: the status chosen for new orders is not
    sent, as the copy may have moved on in Xero."""
    return {key: value for key, value in body.items() if key != "Status"}
