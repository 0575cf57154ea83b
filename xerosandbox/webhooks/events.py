"""Webhook events and payloads in Xero's shape (xero-webhooks.yaml, components.schemas.WebhookEvent).

An event is thin: which object changed, where to fetch it, when, and how (CREATE or UPDATE,
archiving included). Only contacts and invoices have events: Xero's webhooks cover Contacts,
Invoices, CreditNotes and Subscriptions, never Items or PurchaseOrders.
"""
from __future__ import annotations

import json
import secrets
import string
from typing import Any

from ..accounting import msdate
from ..accounting.repository import Change

CATEGORIES = {"contacts": ("CONTACT", "Contacts"), "invoices": ("INVOICE", "Invoices")}
KINDS = frozenset(CATEGORIES)
XERO_API = "https://api.xero.com"


def event(change: Change, base_url: str = XERO_API) -> dict[str, Any]:
    """The event for one committed change (``resourceUrl`` on api.xero.com, as Xero sends it,
    unless the registration names another base)."""
    category, plural = CATEGORIES[change.kind]
    return {
        "resourceUrl": f"{base_url.rstrip('/')}/api.xro/2.0/{plural}/{change.object_id}",
        "resourceId": change.object_id,
        "eventDateUtc": _event_date(change.updated),
        "eventType": "CREATE" if change.created else "UPDATE",
        "eventCategory": category,
        "tenantId": change.tenant_id,
        "tenantType": "ORGANISATION",
    }


def _event_date(updated: str | None) -> str:
    """``2025-12-02T00:44:09.923``: UTC, milliseconds, no zone (the spec's example)."""
    moment = msdate.parse_ms(updated)
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def payload(events: list[dict[str, Any]], first: int, last: int) -> bytes:
    """The POST body. Intent to Receive sends ``events: []`` with both sequences 0."""
    return json.dumps({"events": events, "firstEventSequence": first, "lastEventSequence": last,
                       "entropy": entropy()}, separators=(",", ":")).encode("utf-8")


def entropy() -> str:
    """A random string like Xero's (``FXNGWLCCGVANWHKILRUB`` in the spec's example)."""
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))
