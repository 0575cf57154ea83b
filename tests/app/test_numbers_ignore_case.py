"""Invoice and purchase order numbers are unique per workspace ignoring case, in the database
itself (not only in the forms' check), and the migration that makes them so keeps every
document: numbers already differing only in case are renumbered, never dropped."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.app.migration_support import OldSchema, close, database_at, migrate
from xeroapp.extensions import db
from xeroapp.models import Invoice, PurchaseOrder
from xeroapp.sync.numbers import keep_xero_number

BEFORE, THIS = "3e7ad3afda72", "cf95a4dd016f"


def save(app, document) -> None:
    with app.app_context():
        db.session.add(document)
        db.session.commit()


def invoice(workspace_id: int, client_id: int, number: str) -> Invoice:
    return Invoice(workspace_id=workspace_id, client_id=client_id, number=number,
                   issue_date=date(2026, 11, 1), currency="NZD")


def purchase_order(workspace_id: int, supplier_id: int, number: str) -> PurchaseOrder:
    return PurchaseOrder(workspace_id=workspace_id, supplier_id=supplier_id, number=number,
                         order_date=date(2026, 11, 1), currency="NZD")


def test_the_database_refuses_an_invoice_number_differing_only_in_case(app, records):
    mine, theirs = records.workspace(), records.workspace("Two", "two@example.com")
    client_id, their_client = records.client(mine), records.client(theirs)
    save(app, invoice(mine, client_id, "inv-1"))
    save(app, invoice(theirs, their_client, "INV-1"))  # another workspace: no clash
    save(app, invoice(mine, client_id, None))  # not numbered yet (Xero numbers it): no clash
    save(app, invoice(mine, client_id, None))

    with pytest.raises(sa.exc.IntegrityError):
        save(app, invoice(mine, client_id, "INV-1"))


def test_the_database_refuses_a_po_number_differing_only_in_case(app, records):
    mine = records.workspace()
    supplier_id = records.supplier(mine)
    save(app, purchase_order(mine, supplier_id, "Straße-1"))

    with pytest.raises(sa.exc.IntegrityError):
        save(app, purchase_order(mine, supplier_id, "STRASSE-1"))  # the same, case-folded


def test_renumbering_keeps_the_key_in_step(app, records):
    mine = records.workspace()
    invoice_id = records.invoice(mine, number="INV-1")
    with app.app_context():
        document = db.session.get(Invoice, invoice_id)
        document.number = "INV-2"
        db.session.commit()
        keys = db.session.execute(sa.select(Invoice.number, Invoice.number_key)).all()
    assert keys == [("INV-2", "inv-2")]
    records.invoice(mine, number="inv-1")  # the old number is free again


def test_the_number_xero_gives_is_kept_with_its_key(app, records):
    mine = records.workspace()
    invoice_id = records.invoice(mine, number=None)
    with app.app_context():
        keep_xero_number(db.session.get(Invoice, invoice_id), "INV-0042")
        db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        records.invoice(mine, number="inv-0042")


# ---- the migration --------------------------------------------------------------------------

@pytest.fixture
def old_database(tmp_path):
    app = database_at(tmp_path / "old.db", BEFORE)
    yield app
    close(app)


def test_the_migration_renumbers_case_duplicates_and_keeps_every_document(old_database):
    app = old_database
    with app.app_context(), db.engine.begin() as connection:
        old = OldSchema(connection)
        mine, theirs = old.insert("workspaces", name="Mine"), old.insert("workspaces", name="Two")
        client = old.insert("clients", workspace_id=mine, name="Bayside")
        their_client = old.insert("clients", workspace_id=theirs, name="Theirs")
        supplier = old.insert("suppliers", workspace_id=mine, name="Paper")
        first = old.insert("invoices", workspace_id=mine, client_id=client, number="inv-1")
        in_xero = old.insert("invoices", workspace_id=mine, client_id=client, number="INV-1")
        third = old.insert("invoices", workspace_id=mine, client_id=client, number="Inv-1")
        taken = old.insert("invoices", workspace_id=mine, client_id=client, number="inv-1 (2)")
        other = old.insert("invoices", workspace_id=theirs, client_id=their_client, number="inv-1")
        unnumbered = old.insert("invoices", workspace_id=mine, client_id=client)
        old.insert("xero_links", workspace_id=mine, record_kind="invoice", record_id=in_xero,
                   tenant_id="t", xero_id="x")
        po_first = old.insert("purchase_orders", workspace_id=mine, supplier_id=supplier,
                              number="PO-1", version=4)
        po_second = old.insert("purchase_orders", workspace_id=mine, supplier_id=supplier,
                               number="po-1", version=4)

    migrate(app, "upgrade", THIS)

    with app.app_context():
        invoices = dict(db.session.execute(sa.text("SELECT id, number FROM invoices")).all())
        orders = dict(db.session.execute(sa.text(
            "SELECT id, number || ' v' || version FROM purchase_orders")).all())
        keys = db.session.scalars(sa.text(
            "SELECT number_key FROM invoices WHERE id = :id"), {"id": in_xero}).all()
    assert invoices == {
        in_xero: "INV-1",  # linked to Xero: keeps the number Xero holds
        first: "inv-1 (3)",  # " (2)" is taken, ignoring case
        third: "Inv-1 (4)",
        taken: "inv-1 (2)",
        other: "inv-1",  # another workspace
        unnumbered: None,
    }
    # The oldest keeps its number; a renumbered document has changed since its last push.
    assert orders == {po_first: "PO-1 v4", po_second: "po-1 (2) v5"}
    assert keys == ["inv-1"]

    migrate(app, "downgrade", BEFORE)
