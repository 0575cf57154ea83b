"""Model behaviour the push engine relies on: versions, encrypted tokens, aware timestamps."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Client, Invoice, InvoiceLine, PurchaseOrder, XeroConnection


def version_of(model, record_id) -> int:
    db.session.expire_all()
    return db.session.get(model, record_id).version


def test_new_record_starts_at_version_1_and_edits_bump_it(app, records):
    client_id = records.client(records.workspace())
    with app.app_context():
        assert version_of(Client, client_id) == 1
        db.session.get(Client, client_id).email = "new@example.com"
        db.session.commit()
        assert version_of(Client, client_id) == 2
        db.session.commit()  # nothing changed: no bump
        assert version_of(Client, client_id) == 2


def test_line_edits_bump_the_document_version(app, records):
    invoice_id = records.invoice(records.workspace())
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        invoice.lines[0].quantity = Decimal("5")
        db.session.commit()
        assert version_of(Invoice, invoice_id) == 2

        invoice = db.session.get(Invoice, invoice_id)
        invoice.lines.append(InvoiceLine(position=1, description="Extra"))
        db.session.commit()
        assert version_of(Invoice, invoice_id) == 3

        invoice = db.session.get(Invoice, invoice_id)
        invoice.lines.pop()
        db.session.commit()
        assert version_of(Invoice, invoice_id) == 4


def test_recording_xero_line_ids_is_not_an_edit(app, records):
    po_id = records.purchase_order(records.workspace())
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        po.lines[0].xero_line_item_id = "5c1d0a4e-0000-4000-8000-000000000001"
        db.session.commit()
        assert version_of(PurchaseOrder, po_id) == 1


def test_tokens_are_encrypted_at_rest(app, records):
    workspace_id = records.workspace()
    with app.app_context():
        connection = XeroConnection(workspace_id=workspace_id, tenant_id="t-1", tenant_name="Demo")
        connection.access_token = "access-plaintext"
        connection.refresh_token = "refresh-plaintext"
        db.session.add(connection)
        db.session.commit()

        stored = db.session.execute(sa.text(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM xero_connections")).one()
        assert "plaintext" not in "".join(stored)
        db.session.expire_all()
        loaded = db.session.scalar(sa.select(XeroConnection))
        assert (loaded.access_token, loaded.refresh_token) == ("access-plaintext", "refresh-plaintext")


def test_timestamps_come_back_aware_utc(app, records):
    workspace_id = records.workspace()
    when = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
    with app.app_context():
        db.session.add(XeroConnection(workspace_id=workspace_id, tenant_id="t", tenant_name="Demo",
                                      access_token_expires_at=when))
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.scalar(sa.select(XeroConnection))
        assert loaded.access_token_expires_at == when
        assert loaded.access_token_expires_at.tzinfo is not None
        assert loaded.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(app, records):
    workspace_id = records.workspace()
    with app.app_context():
        db.session.add(XeroConnection(workspace_id=workspace_id, tenant_id="t", tenant_name="Demo",
                                      access_token_expires_at=datetime(2026, 11, 22)))
        with pytest.raises(sa.exc.StatementError):
            db.session.commit()
        db.session.rollback()
