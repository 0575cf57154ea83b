"""Creating a purchase order's missing products as Xero Items: the job behind the
missing-products dialog's "Create in Xero and save".

The dialog records the rows as it showed and the person confirmed them (code, name,
purchase price, account) on a PushJob of kind ``missing_products`` whose record is the
order, and the worker runs it like any other push (sync/jobs.py): rate limits, back-off,
a lost grant and a dead worker are handled by the same rules, and no web request waits on
Xero. The job:

1. creates the rows still not linked in ONE ``PUT /Items?summarizeErrors=false``;
2. commits the links of the items Xero created (they are facts, whatever the others did);
3. when Xero refused some rows, stops with ``ItemsRefused``: the row carries each refused
   product's code, name and Xero's words, and the dialog shows them on their rows;
4. otherwise records the order's push (sync/outbox.py), so the order follows by itself.

Running the same row again (a retry after a timeout, a sweep after a dead worker) creates
only what is still not linked, under an Idempotency-Key made from exactly that body: Xero
replays a request it already applied rather than creating twice.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrder
from xeroapp.models.workspace import User
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.sync import items, outbox
from xeroapp.sync.context import MAX_KEY_LENGTH, PushContext
from xeroapp.sync.outcomes import PushStopped

KIND = "missing_products"  # PushJob.record_kind; its record_id is the purchase order's
ITEMS_REFUSED = "items_refused"  # PushJob.error_kind when Xero refused some rows


class ItemsRefused(PushStopped):
    """Xero refused some rows (the others were created and linked). ``rows`` are the refused
    ones as sent, each with ``errors``: Xero's words, shown on the dialog's row."""

    kind = ITEMS_REFUSED

    def __init__(self, rows: list[dict[str, Any]], sent: int) -> None:
        created = sent - len(rows)
        super().__init__(f"Xero created {created} of {sent} products; it refused the rows "
                         "below. Correct them and try again.", field="Product")
        self.rows = rows


def row_of(item: items.NewItem) -> dict[str, Any]:
    """A dialog row as the job stores it (JSON: the price as a string, exact)."""
    price = item.purchase_price
    return {"product_id": item.product.id, "code": item.code, "name": item.name,
            "purchase_price": None if price is None else str(price),
            "account": item.purchase_account}


def _new_item(row: dict[str, Any], product: Product) -> items.NewItem:
    price = row.get("purchase_price")
    return items.NewItem(product, row["code"], row["name"],
                         None if price is None else Decimal(price), row.get("account"))


def latest(order: PurchaseOrder) -> PushJob | None:
    """The order's most recent creation, whatever became of it."""
    return db.session.scalar(sa.select(PushJob).where(
        PushJob.workspace_id == order.workspace_id, PushJob.record_kind == KIND,
        PushJob.record_id == order.id).order_by(PushJob.id.desc()).limit(1))


def request(order: PurchaseOrder, user: User, rows: list[items.NewItem],
            connection: XeroConnection) -> PushJob:
    """Record the creation of ``rows`` (or return the one still pending), commit, enqueue.
    As with every push the row is committed before RQ hears of it; the sweeper enqueues it
    if Redis is down now."""
    pending = _pending(order)
    if pending is not None:
        return pending
    job = PushJob(workspace_id=order.workspace_id, record_kind=KIND, record_id=order.id,
                  record_version=order.version, tenant_id=connection.tenant_id, action="send",
                  status="queued", requested_by_id=user.id, choices=[row_of(r) for r in rows])
    if connection.needs_reconnect:  # recorded now, created once someone reconnects
        job.park_for_reconnect()
    db.session.add(job)
    return outbox.commit_new(job)  # a double click gets the first one


def _pending(order: PurchaseOrder) -> PushJob | None:
    return outbox.pending_row(order.workspace_id, KIND, order.id)


def push(ctx: PushContext, order: PurchaseOrder) -> None:
    """The job (sync/jobs.py PUSHERS): create what is still missing, then send the order."""
    rows = _still_missing(ctx, order)
    if rows:
        ctx.job.idempotency_key = _key(order, rows)
        db.session.commit()  # the key is on the row before the call, as for every push
        refused = items.create(ctx.xero, ctx.connection.tenant_id, rows,
                               idempotency_key=ctx.job.idempotency_key)
        db.session.commit()  # the items Xero created are linked, whatever it refused
        if refused:
            raise ItemsRefused([{**row_of(r), "errors": refused[r.product.id]}
                                for r in rows if r.product.id in refused], len(rows))
    try:
        outbox.request_push(order, ctx.job.requested_by)
    except outbox.CannotPush:  # disconnected since: the panel says so, Send is there
        pass


def _still_missing(ctx: PushContext, order: PurchaseOrder) -> list[items.NewItem]:
    """The job's rows whose product still exists here and is not linked in this
    organisation (a re-run after some were created sends only the rest)."""
    wanted = {row["product_id"]: row for row in ctx.job.choices or []}
    products = {p.id: p for p in db.session.scalars(sa.select(Product).where(
        Product.workspace_id == order.workspace_id, Product.id.in_(wanted or [0])))}
    linked = set(db.session.scalars(sa.select(XeroLink.record_id).where(
        XeroLink.workspace_id == order.workspace_id, XeroLink.record_kind == "product",
        XeroLink.tenant_id == ctx.connection.tenant_id, XeroLink.record_id.in_(wanted or [0]))))
    return [_new_item(row, products[product_id]) for product_id, row in wanted.items()
            if product_id in products and product_id not in linked]


def _key(order: PurchaseOrder, rows: list[items.NewItem]) -> str:
    """The same body carries the same key, so Xero replays a create it already applied
    (a lost answer, a retry); other rows, or edited ones, are a new request."""
    body = json.dumps([r.body() for r in rows], sort_keys=True, default=str)
    digest = hashlib.sha256(body.encode()).hexdigest()[:24]
    return f"xa-{KIND}-{order.id}-{digest}"[:MAX_KEY_LENGTH]
