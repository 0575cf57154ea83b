"""``POST /webhooks/xero``: where Xero delivers webhook events (contacts and invoices).

How Xero delivers (developer.xero.com/documentation/webhooks/configuring-your-server;
xero-webhooks.yaml): a JSON body of events, signed in ``x-xero-signature`` with base64 of
HMAC-SHA256 of the raw body keyed with the app's webhook key. The receiver answers 200 with an
empty body within 5 seconds, and 401 to anything not signed with the key; Intent to Receive
checks both with empty ``events`` lists before Xero sends any event.

So this view only checks, stores and queues: no login, no CSRF token (Xero has neither; the
signature is the proof), no session cookie in the answer. Each event is stored once
(``WebhookEvent`` is unique per event: Xero retries deliveries), then one read job per
organisation is queued (queueing.enqueue_once coalesces a burst). Events of an organisation no
workspace is connected to are not stored, only logged. ``XERO_WEBHOOK_KEY`` unset: 401 to all.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request, session

from xeroapp.access import public
from xeroapp.backsync import queueing, xero_dates
from xeroapp.backsync.inserts import insert_new
from xeroapp.extensions import csrf, db
from xeroapp.limits import own_body_limit
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.models.xero_side import WebhookEvent

bp = Blueprint("xero_webhooks", __name__)
log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-xero-signature"
# Xero sends events in small batches; a megabyte is thousands of them.
MAX_BODY = 1024 * 1024
# Column widths of WebhookEvent: an event with longer values is not one of Xero's.
_WIDTHS = {"tenantId": 36, "eventCategory": 20, "resourceId": 36, "eventType": 10}


@bp.post("/webhooks/xero")
@public
@csrf.exempt
@own_body_limit(MAX_BODY)
def receive() -> Response:
    body = request.get_data(cache=False)
    if not signed_right(body, request.headers.get(SIGNATURE_HEADER, "")):
        return _empty(401)
    try:
        payload = json.loads(body)
    except ValueError:
        return _empty(400)
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        return _empty(400)
    tenants = store(events)
    for tenant_id in tenants:
        queueing.enqueue_once(queueing.READ_BACK, tenant_id, job_id=queueing.read_back_id(tenant_id))
    return _empty(200)


@bp.after_request
def no_session_cookie(response: Response) -> Response:
    """Xero keeps no cookies, and a cookie sent along (someone's browser) is not ours to
    refresh here: whatever loading the login touched is not saved."""
    session.modified = False
    return response


def signed_right(body: bytes, signature: str) -> bool:
    key = current_app.config.get("XERO_WEBHOOK_KEY")
    if not key:
        return False
    expected = base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


def store(events: list[Any]) -> list[str]:
    """Keep the events of organisations connected here (each once); commit. The tenants that
    had events."""
    rows = [row for event in events if (row := _row(event)) is not None]
    held = _held({row["tenant_id"] for row in rows})
    ignored = len(rows) - sum(row["tenant_id"] in held for row in rows)
    if ignored or len(rows) != len(events):
        log.info("webhook: %s event(s) of organisations not connected here, %s malformed; "
                 "ignored", ignored, len(events) - len(rows))
    kept = [row for row in rows if row["tenant_id"] in held]
    insert_new(WebhookEvent, kept)
    db.session.commit()
    return sorted({row["tenant_id"] for row in kept})


def _row(event: Any) -> dict[str, Any] | None:
    if not isinstance(event, dict):
        return None
    values = {name: event.get(name) for name in _WIDTHS}
    if not all(isinstance(v, str) and 0 < len(v) <= _WIDTHS[k] for k, v in values.items()):
        return None
    event_at = xero_dates.moment(event.get("eventDateUtc"))
    if event_at is None:
        return None
    return {"tenant_id": values["tenantId"], "category": values["eventCategory"],
            "resource_id": values["resourceId"], "event_type": values["eventType"],
            "event_at": event_at, "received_at": utcnow(), "processed_at": None}


def _held(tenant_ids: set[str]) -> set[str]:
    if not tenant_ids:
        return set()
    return set(db.session.scalars(sa.select(XeroConnection.tenant_id).where(
        XeroConnection.tenant_id.in_(tenant_ids),
        XeroConnection.refresh_token_encrypted.is_not(None))))


def _empty(status: int) -> Response:
    """An empty answer that sets no cookie."""
    return Response(b"", status=status)
