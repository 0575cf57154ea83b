"""What the back-sync tests share: the webhook key, signed deliveries made by hand (as Xero
would send them), the sandbox's webhooks pointed at the app, a Xero user's actions, and every
call the app makes to the sandbox, counted."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.purchase_orders_xero.po_support import CountingTransport
from tests.sync.push_support import Desk
from tests.xero.xero_support import DEMO_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models import InvoiceLine, XeroConnection, XeroLink
from xeroapp.models.xero_side import WebhookEvent, XeroChange
from xerosandbox import webhooks

KEY = "dGVzdC13ZWJob29rLWtleS1mb3ItYmFjay1zeW5j"
RECEIVER = "http://receiver.test"
HOOK_URL = f"{RECEIVER}/webhooks/xero"


def sign(body: bytes, key: str = KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def payload(events: list[dict]) -> bytes:
    return json.dumps({"events": events, "firstEventSequence": 1,
                       "lastEventSequence": len(events), "entropy": "ABCDEFGHIJKLMNOPQRST"}).encode()


def event(resource_id: str, category: str = "INVOICE", *, tenant_id: str = DEMO_TENANT_ID,
          at: str = "2026-12-03T01:02:03.456", kind: str = "UPDATE") -> dict:
    plural = {"INVOICE": "Invoices", "CONTACT": "Contacts"}[category]
    return {"resourceUrl": f"https://api.xero.com/api.xro/2.0/{plural}/{resource_id}",
            "resourceId": resource_id, "eventDateUtc": at, "eventType": kind,
            "eventCategory": category, "tenantId": tenant_id, "tenantType": "ORGANISATION"}


def deliver(app, body: bytes, signature: str | None):
    """POST as Xero does: no session, no CSRF token, the raw body signed (or not)."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["x-xero-signature"] = signature
    return app.test_client().post("/webhooks/xero", data=body, headers=headers, csrf=False)


@pytest.fixture
def counted(desk: Desk) -> CountingTransport:
    transport = CountingTransport(desk.sandbox)
    desk.app.config["XERO_HTTP_TRANSPORT"] = transport
    return transport


@pytest.fixture
def hooked(desk: Desk) -> Desk:
    """``desk`` with the app's webhook key set and the sandbox's webhooks registered to the
    app's /webhooks/xero (delivered in-process, only when flushed)."""
    desk.app.config["XERO_WEBHOOK_KEY"] = KEY
    webhooks.mount(desk.sandbox, RECEIVER, desk.app)
    registered = desk.control("webhooks", {"url": HOOK_URL, "key": KEY, "batch_seconds": 3600})
    assert registered["registration"]["status"] == "OK", registered
    return desk


def flush(desk: Desk) -> list[dict]:
    deliveries = desk.control("webhooks/flush")["deliveries"]
    assert all(d["ok"] for d in deliveries), deliveries
    return deliveries


def act(desk: Desk, kind: str, xero_id: str, action: str, body: dict | None = None) -> dict:
    """A Xero user's action in the sandbox (approve, pay, void, archive ...)."""
    return desk.control(f"objects/{DEMO_TENANT_ID}/{kind}/{xero_id}/{action}", body)


def set_defaults(desk: Desk) -> None:
    with desk.app.app_context():
        connection = db.session.scalar(db.select(XeroConnection))
        connection.sales_account_code, connection.sales_tax_type = "200", "OUTPUT2"
        connection.purchase_account_code, connection.purchase_tax_type = "300", "INPUT2"
        db.session.commit()


def sent_invoice(desk: Desk, records, number: str = "INV-0042") -> tuple[int, str]:
    """An invoice of 115.00 (100 + 15% GST) sent to Xero: (its id, its InvoiceID)."""
    set_defaults(desk)
    invoice_id = records.invoice(desk.workspace_id, number=number, due_date=date(2026, 12, 20),
                                 lines=[InvoiceLine(position=0, description="Work",
                                                    quantity=Decimal("1"),
                                                    unit_price=Decimal("100"))])
    desk.send("invoice", invoice_id)
    link = desk.link("invoice", invoice_id)
    assert link is not None
    return invoice_id, link.xero_id


def changes(desk: Desk, kind: str | None = None, record_id: int | None = None) -> list[tuple[str, str]]:
    with desk.app.app_context():
        query = db.select(XeroChange).order_by(XeroChange.id)
        if kind is not None:
            query = query.filter_by(record_kind=kind, record_id=record_id)
        return [(c.change, c.summary) for c in db.session.scalars(query)]


def stored_events(desk: Desk) -> list[WebhookEvent]:
    with desk.app.app_context():
        rows = db.session.scalars(db.select(WebhookEvent).order_by(WebhookEvent.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def links(desk: Desk, kind: str) -> list[XeroLink]:
    with desk.app.app_context():
        rows = db.session.scalars(db.select(XeroLink).filter_by(record_kind=kind)
                                  .order_by(XeroLink.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def new_guid() -> str:
    return str(uuid.uuid4())


def control_get(desk: Desk, path: str) -> Any:
    return desk.sandbox.test_client().get(f"/_sandbox/{path}").get_json()
