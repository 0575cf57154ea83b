"""PurchaseOrder -> Xero PurchaseOrder: its products checked as Items first, its supplier
sent as a contact when needed, then the order created or updated.

Order of steps, and why:
1. Every product of the order is looked up in one call (sync.items). If some are missing the
   push stops before anything is written to Xero (no contact created for an order that
   cannot go yet), and the missing-products dialog takes over.
2. The supplier: linked, found by number or name, or created (sync.contacts, as for clients).
3. Create (PUT, Status from Settings > Purchase orders) or update the linked order (POST
   /PurchaseOrders/{id}, never a second order). An update first reads the order's status:
   once BILLED (a bill was raised from it) or DELETED, Xero refuses edits, so we change
   nothing and say so. Xero's LineItemIDs are written back so lines are edited in place.
   A new order is only ever created (PUT): POST would update any order already holding our
   number. A create refused for its number is checked against a lost earlier answer: an
   open order with our number for our supplier is ours, and is updated rather than
   duplicated; anyone else's stops the push, naming the number (sync/number_clash.py). An
   order sent without a number (Xero numbers it) whose earlier try may have reached Xero
   is looked for by its date and content first (sync/our_copies.py).

No unitdp here: /PurchaseOrders has no such parameter in Xero's spec, and an order's unit
amounts keep 4 decimal places as sent (mapping.FOUR_DP is for Invoices and Items).
"""
from __future__ import annotations

from xeroapp.extensions import db
from xeroapp.models import PurchaseOrder, Workspace, XeroLink
from xeroapp.sync import contacts, items, linking, number_clash, numbers, our_copies
from xeroapp.sync.context import PushContext
from xeroapp.sync.outcomes import GoneFromXero, LockedInXero, PushStopped
from xeroapp.xero import mapping
from xeroapp.xero.errors import NotFound, ValidationError

LOCKED_STATUSES = ("BILLED", "DELETED")
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


def push(ctx: PushContext, order: PurchaseOrder) -> XeroLink:
    products = [line.product for line in order.lines if line.product is not None]
    item_codes = items.ensure_present(ctx.xero, ctx.tenant_id, products) if products else {}
    contact_id = contacts.ensure(ctx, order.supplier)
    defaults = mapping.LineDefaults(ctx.connection.purchase_account_code,
                                    ctx.connection.purchase_tax_type)
    link = linking.find(order, ctx.tenant_id)
    if link is None:
        status = db.session.get(Workspace, order.workspace_id).po_xero_status
        body = mapping.purchase_order(order, contact_id, defaults, status=status,
                                      item_codes=item_codes)
        copy_id = _copy_sent_before(ctx, order, contact_id, body)
        if copy_id is not None:
            answer = _update_our_copy(ctx, copy_id, body)
        else:
            answer = _create(ctx, order, contact_id, body)
    else:
        _check_editable(ctx, order, link.xero_id)
        body = mapping.purchase_order(order, contact_id, defaults, status=None,
                                      item_codes=item_codes)
        try:
            answer = ctx.xero.accounting("POST", f"PurchaseOrders/{link.xero_id}",
                                         json={"PurchaseOrders": [body]},
                                         idempotency_key=ctx.key("po-update", link.xero_id, body))
        except ValidationError as exc:  # renumbered here to a number Xero already holds
            numbers.stop_on_clash(exc, order)
            raise
    result = (answer.get("PurchaseOrders") or [{}])[0]
    linking.keep_line_ids(order, result.get("LineItems") or [])
    numbers.keep_xero_number(order, result.get("PurchaseOrderNumber"))
    return linking.record_push(order, ctx.tenant_id, result["PurchaseOrderID"], order.version)


def _create(ctx: PushContext, order: PurchaseOrder, contact_id: str, body: dict) -> dict:
    """PUT the order. Sent without a number, what it sends is kept on the row (committed
    before the call) until Xero answers for it: till then it may be in Xero, and every
    later push of it looks for that copy first (sync/our_copies.py)."""
    if not body.get("PurchaseOrderNumber"):
        ctx.job.sent_fingerprint = numbers.fingerprint(body)
        ctx.commit_step()
    try:
        answer = ctx.xero.accounting("PUT", "PurchaseOrders", json={"PurchaseOrders": [body]},
                                     idempotency_key=ctx.key("po-create", body))
    except ValidationError as exc:
        if ctx.job.sent_fingerprint is not None:  # Xero answered: it did not save this one
            ctx.job.sent_fingerprint = None
            ctx.commit_step()
        if not order.number or not number_clash.is_clash(exc.messages):
            raise
        return _adopt_our_earlier_copy(ctx, order, contact_id, body, exc.messages)
    ctx.job.sent_fingerprint = None  # committed with the link
    return answer


def _copy_sent_before(ctx: PushContext, order: PurchaseOrder, contact_id: str,
                      body: dict) -> str | None:
    """The PurchaseOrderID of our copy of an unnumbered order an earlier try may have
    created (its answer lost), or None. Raises DoubtfulCopy when it cannot be told apart."""
    if body.get("PurchaseOrderNumber"):  # a numbered one is recognised by its number instead
        return None
    sent = our_copies.sent_fingerprints(ctx.tenant_id, "purchase_order", [order.id]).get(order.id)
    if not sent:
        return None
    wanted = our_copies.Wanted(order, contact_id, order.supplier.name,
                               {numbers.fingerprint(body), *sent})
    verdict = our_copies.find_purchase_order(ctx.xero, ctx.tenant_id, wanted, body["Date"])
    if isinstance(verdict, our_copies.DoubtfulCopy):
        raise verdict
    if verdict is not None:
        ctx.job.sent_fingerprint = None  # found: committed with the link
    return verdict


def _adopt_our_earlier_copy(ctx: PushContext, order: PurchaseOrder, contact_id: str,
                            body: dict, xero_messages: list[str]) -> dict:
    """"Order number must be unique": update the holder if it is our own earlier copy (a push
    whose answer was lost), else raise NumberTaken: anyone else's order is left alone."""
    clash = number_clash.clash_of(order, contact_id, xero_messages)
    verdict = number_clash.purchase_order_verdict(ctx.xero, clash)
    if isinstance(verdict, number_clash.NumberTaken):
        raise verdict
    return _update_our_copy(ctx, verdict, body)


def _update_our_copy(ctx: PushContext, order_id: str, body: dict) -> dict:
    """Our own earlier copy updated by its PurchaseOrderID. The status chosen for new orders
    is not sent: the copy may have moved on in Xero."""
    update = {key: value for key, value in body.items() if key != "Status"}
    return ctx.xero.accounting("POST", f"PurchaseOrders/{order_id}",
                               json={"PurchaseOrders": [update]},
                               idempotency_key=ctx.key("po-adopt", order_id, update))


def _check_editable(ctx: PushContext, order: PurchaseOrder, order_id: str) -> None:
    try:
        current = ctx.xero.accounting("GET", f"PurchaseOrders/{order_id}")
    except NotFound:
        linking.forget(order, ctx.tenant_id)
        ctx.commit_step()
        raise GoneFromXero(f"Purchase order {order.label} no longer exists in Xero. "
                           "Send it again to create it there.") from None
    status = ((current.get("PurchaseOrders") or [{}])[0].get("Status") or "").upper()
    if status in LOCKED_STATUSES:
        raise PurchaseOrderLocked(status)
