"""Columns every business record shares."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.models.types import UTCDateTime, utcnow


class WorkspaceOwned:
    """A record that belongs to exactly one workspace; views fetch it with get_owned_or_404."""

    workspace_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("workspaces.id"), index=True)


class Timestamped:
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Versioned:
    """A record pushed to Xero: ``version`` goes up on every edit (see models.versioning).

    XeroLink.pushed_version is compared with it to tell "in Xero and current" from "changed
    since the last push", and the push's Idempotency-Key is derived from it.
    """

    version: so.Mapped[int] = so.mapped_column(default=1)


class ContactDetails:
    """What Xero's Contact holds and both clients and suppliers need (lengths from the spec)."""

    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    first_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    last_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    address_line1: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    address_line2: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    city: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    region: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    country: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    account_number: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    tax_number: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)

    @property
    def contact_person(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def address_lines(self) -> list[str]:
        locality = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        parts = (self.address_line1, self.address_line2, locality, self.country)
        return [p for p in parts if p]
