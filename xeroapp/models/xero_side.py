"""What comes back from Xero: the changes Xero made to linked records, the webhook events
that announced them, and how far polling has read each organisation."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.mixins import WorkspaceOwned
from xeroapp.models.types import UTCDateTime, utcnow

# XeroChange.change: what happened in Xero, as the history and the Activity page name it.
XERO_CHANGES = ("submitted", "approved", "part_paid", "paid", "payment_removed", "voided",
                "deleted", "billed", "archived", "restored", "merged", "edited")


class XeroChange(WorkspaceOwned, db.Model):
    """One change Xero made to a linked record ("Paid in Xero"), for the record's history and
    the Activity page. Written once per change read back, whichever way it arrived."""

    __tablename__ = "xero_changes"
    __table_args__ = (
        sa.Index("ix_xero_changes_record", "workspace_id", "record_kind", "record_id"),
        # The same version of an object read twice (a webhook and a poll) is one change.
        sa.UniqueConstraint("workspace_id", "record_kind", "record_id", "tenant_id", "change",
                            "xero_updated_at", name="uq_xero_changes_once"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    record_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    record_id: so.Mapped[int]
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    change: so.Mapped[str] = so.mapped_column(sa.String(20))
    # Plain words: "Paid in Xero: 120.00 on 3 Dec 2026".
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    xero_updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class WebhookEvent(db.Model):
    """One event of a Xero webhook delivery, kept until a job has read the object back.
    Xero retries deliveries and events repeat: the same event is stored once."""

    __tablename__ = "xero_webhook_events"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "category", "resource_id", "event_type", "event_at",
                            name="uq_xero_webhook_events_once"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36), index=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(20))  # INVOICE, CONTACT, ...
    resource_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    event_type: so.Mapped[str] = so.mapped_column(sa.String(10))  # CREATE, UPDATE
    event_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    processed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), index=True)


class PollMark(WorkspaceOwned, db.Model):
    """How far polling has read one resource of one organisation: the next poll asks Xero
    for what changed since ``modified_since`` (If-Modified-Since)."""

    __tablename__ = "xero_poll_marks"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "tenant_id", "resource"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    resource: so.Mapped[str] = so.mapped_column(sa.String(20))  # Invoices, Contacts, PurchaseOrders
    # The highest UpdatedDateUTC seen so far (Xero's clock, not ours).
    modified_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    polled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
