"""Back-sync UI tests: a logged-in workspace connected to an organisation, and Xero's side of
its links written directly (as the back-sync engine leaves them), so the pages are tested on
their own."""
from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from xeroapp import crypto
from xeroapp.extensions import db
from xeroapp.models.workspace import Workspace
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.models.xero_side import XeroChange

TENANT = "11111111-1111-4111-8111-111111111111"
OLD_TENANT = "22222222-2222-4222-8222-222222222222"
HTMX = {"HX-Request": "true"}


def text_of(html: str) -> str:
    """Visible text with whitespace collapsed (assertions read like the page)."""
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def at(text: str) -> datetime:
    """An aware UTC time from "2026-12-03 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@dataclass
class Desk:
    """Ada's workspace, logged in, connected to TENANT (short code ``!Demo``)."""

    app: Flask
    client: Any
    workspace_id: int

    def link(self, kind: str, record_id: int, tenant_id: str = TENANT,
             workspace_id: int | None = None, **xero: Any) -> int:
        """A link as a push leaves it, plus Xero's side as the back-sync writes it."""
        if "xero_status" in xero and "xero_read_at" not in xero:
            xero["xero_read_at"] = at("2026-12-04 09:00")
        for money in ("xero_amount_paid", "xero_amount_due"):
            if money in xero and xero[money] is not None:
                xero[money] = Decimal(str(xero[money]))
        with self.app.app_context():
            link = XeroLink(workspace_id=workspace_id or self.workspace_id, record_kind=kind,
                            record_id=record_id, tenant_id=tenant_id,
                            xero_id=f"{record_id:08d}-0000-4000-8000-000000000000",
                            pushed_version=1, pushed_at=at("2026-12-01 08:00"), **xero)
            db.session.add(link)
            db.session.commit()
            return link.id

    def change(self, kind: str, record_id: int, change: str, summary: str, recorded_at: str,
               workspace_id: int | None = None) -> int:
        with self.app.app_context():
            row = XeroChange(workspace_id=workspace_id or self.workspace_id, record_kind=kind,
                             record_id=record_id, tenant_id=TENANT, change=change,
                             summary=summary, recorded_at=at(recorded_at),
                             xero_updated_at=at(recorded_at))
            db.session.add(row)
            db.session.commit()
            return row.id

    def push(self, kind: str, record_id: int, created_at: str, status: str = "done",
             workspace_id: int | None = None, **values: Any) -> int:
        values.setdefault("action", "send")
        with self.app.app_context():
            job = PushJob(workspace_id=workspace_id or self.workspace_id, record_kind=kind,
                          record_id=record_id, status=status, attempts=1,
                          created_at=at(created_at), **values)
            db.session.add(job)
            db.session.commit()
            return job.id

    def set_time_zone(self, name: str) -> None:
        with self.app.app_context():
            db.session.get(Workspace, self.workspace_id).time_zone = name
            db.session.commit()


def connect(app: Flask, workspace_id: int, tenant_id: str = TENANT) -> None:
    """What a finished connect leaves (tokens are never used: pages do not call Xero)."""
    with app.app_context():
        db.session.add(XeroConnection(
            workspace_id=workspace_id, tenant_id=tenant_id, tenant_name="Demo Company (NZ)",
            short_code="!Demo", access_token_encrypted=crypto.encrypt("access"),
            refresh_token_encrypted=crypto.encrypt("refresh"),
            access_token_expires_at=at("2026-12-31 00:00")))
        db.session.commit()


@pytest.fixture
def desk(app, client, auth, records) -> Desk:
    auth.signup()
    workspace_id = records.workspace_id_of("ada@example.com")
    connect(app, workspace_id)
    return Desk(app, client, workspace_id)


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of the tables the back-sync UI reads, to prove a GET wrote nothing."""
    tables = ("xero_links", "xero_changes", "push_jobs", "invoices", "purchase_orders",
              "clients", "suppliers", "xero_connections")
    with app.app_context():
        return {name: [tuple(row) for row in db.session.execute(
            sa.text(f"SELECT * FROM {name} ORDER BY id"))] for name in tables}
