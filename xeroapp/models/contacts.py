"""Clients (Xero contacts we invoice) and suppliers (Xero contacts we order from)."""
from __future__ import annotations

import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.mixins import ContactDetails, Timestamped, Versioned, WorkspaceOwned


class Client(WorkspaceOwned, ContactDetails, Versioned, Timestamped, db.Model):
    __tablename__ = "clients"
    record_kind = "client"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.name!r}>"


class Supplier(WorkspaceOwned, ContactDetails, Versioned, Timestamped, db.Model):
    __tablename__ = "suppliers"
    record_kind = "supplier"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.name!r}>"
