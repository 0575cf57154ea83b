"""Workspaces (one business each) and the users who belong to them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from xeroapp.extensions import db
from xeroapp.models.types import UTCDateTime, utcnow

# Xero purchase order statuses a workspace may choose to create POs with (of Xero's DRAFT,
# SUBMITTED, AUTHORISED, BILLED, DELETED: xero_accounting.yaml, components.schemas.PurchaseOrder).
PO_XERO_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
# ... with the names Xero's purchase order screens give them.
PO_XERO_STATUS_NAMES = {"DRAFT": "Draft", "SUBMITTED": "Awaiting approval",
                        "AUTHORISED": "Approved"}
# Xero invoice statuses a new invoice may be created in (Xero creates DRAFT, SUBMITTED or
# AUTHORISED; PAID, VOIDED and DELETED only follow from those: xero_accounting.yaml,
# components.schemas.Invoice), with the names Xero's screens give them.
INVOICE_XERO_STATUSES = {"DRAFT": "Draft", "SUBMITTED": "Awaiting approval",
                         "AUTHORISED": "Awaiting payment"}
# How new invoice and purchase order numbers are made (Workspace.document_numbering):
# "xero": none here, Xero gives the next number of the organisation's own sequence on create;
# "own": prefix + next number from Settings. NULL: never chosen, which numbers as "own" does
# until the first connection to an organisation that already holds documents (see
# xeroapp/integrations/org_numbers.py for why that connection switches it to "xero").
NUMBERING_MODES = ("xero", "own")


class Workspace(db.Model):
    """The unit of isolation: every record and the Xero connection belong to one workspace."""

    __tablename__ = "workspaces"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    default_currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="NZD")
    # Settings > Purchase orders: whether a new PO has "Save to Xero" ticked, and the status
    # Xero gets. Off by default: drafts stay local until someone decides to send them.
    po_save_to_xero_default: so.Mapped[bool] = so.mapped_column(default=False)
    po_xero_status: so.Mapped[str] = so.mapped_column(sa.String(20), default="DRAFT")
    # Settings > Invoices: the status a new invoice is created in, in Xero. An update never
    # sends Status, so this only ever applies to the create.
    invoice_xero_status: so.Mapped[str] = so.mapped_column(sa.String(20), default="DRAFT",
                                                           server_default="DRAFT")
    # IANA name (e.g. "Pacific/Auckland") the pages show times in; the database keeps UTC.
    # The server default gives rows that predate the column UTC, which is what they showed.
    time_zone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC",
                                                 server_default="UTC")
    document_numbering: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # Our own numbering: ``<prefix><next>``, the next number never below one past the
    # highest in use here, nor (read on connect) in the organisation.
    invoice_number_prefix: so.Mapped[str] = so.mapped_column(sa.String(10), default="INV-",
                                                             server_default="INV-")
    invoice_number_next: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    po_number_prefix: so.Mapped[str] = so.mapped_column(sa.String(10), default="PO-",
                                                        server_default="PO-")
    po_number_next: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    users: so.Mapped[list[User]] = so.relationship(back_populates="workspace")

    @property
    def numbered_by_xero(self) -> bool:
        """New invoices and purchase orders get their number from Xero when first sent."""
        return self.document_numbering == "xero"

    def __repr__(self) -> str:
        return f"<Workspace {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    workspace_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("workspaces.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # Stored lower-cased (see normalise_email), so the unique constraint is case-insensitive.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    workspace: so.Mapped[Workspace] = so.relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        # PASSWORD_HASH_METHOD lets the test suite use a cheap hash; production keeps scrypt.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
