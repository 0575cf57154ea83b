"""A bulk push: "Send all not in Xero" / "Update all changed" on one list page.

The run only groups PushJob rows (PushJob.bulk_push_id): each record keeps its own row, so the
Activity page, the record's panel and "one pending push per record" work as for a click on
Send. The run is persisted so that its progress bar survives a page reload.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.extensions import db
from xeroapp.models.mixins import Timestamped, WorkspaceOwned
from xeroapp.models.types import UTCDateTime
from xeroapp.models.workspace import User

BULK_MODES = ("send", "update")


class BulkPush(WorkspaceOwned, Timestamped, db.Model):
    __tablename__ = "bulk_pushes"
    __table_args__ = (sa.Index("ix_bulk_pushes_list", "workspace_id", "record_kind"),
                      # An organisation's open runs: what its bulk lane sends next.
                      sa.Index("ix_bulk_pushes_open", "tenant_id", "finished_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # client, supplier, invoice or product: the list page the run was started from.
    record_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    mode: so.Mapped[str] = so.mapped_column(sa.String(10))
    tenant_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    total: so.Mapped[int] = so.mapped_column(default=0)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # Set once none of its rows is pending any more.
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    requested_by: so.Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<BulkPush {self.id} {self.mode} {self.record_kind} x{self.total}>"
