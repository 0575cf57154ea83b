"""Suppliers: list and search, create, edit, delete-when-unused, validation."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import PushJob, Supplier, XeroLink

FULL = {
    "name": "  Pacific Paper Co. ", "email": "orders@pacificpaper.example", "phone": "09 555 0240",
    "first_name": "Grace", "last_name": "Lee", "address_line1": "7 Industry Road",
    "address_line2": "Unit 4", "city": "Penrose", "region": "Auckland", "postal_code": "1061",
    "country": "New Zealand", "account_number": "PP-2291", "tax_number": "123-456-789",
    "notes": "Delivers Tuesdays",
}


def suppliers(app) -> list[Supplier]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Supplier).order_by(Supplier.id)).all()
        db.session.expunge_all()
        return rows


def test_create_persists_exactly_what_was_entered(app, client, auth):
    auth.signup()
    response = client.post("/suppliers/new", data=FULL)
    [supplier] = suppliers(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/suppliers/{supplier.id}"
    expected = {**FULL, "name": "Pacific Paper Co."}
    assert {name: getattr(supplier, name) for name in FULL} == expected
    assert "Supplier Pacific Paper Co. added." in client.get(f"/suppliers/{supplier.id}").get_data(as_text=True)


def test_blank_optional_fields_are_stored_as_none(app, client, auth):
    auth.signup()
    client.post("/suppliers/new", data={"name": "Cup & Lid", "email": " ", "notes": ""})
    [supplier] = suppliers(app)
    assert (supplier.name, supplier.email, supplier.notes) == ("Cup & Lid", None, None)


def test_validation_messages_and_nothing_lost(app, client, auth, records):
    auth.signup()
    records.supplier(records.workspace_id_of("ada@example.com"), name="Existing Ltd")
    cases = [
        ({"name": ""}, "Enter the supplier&#39;s name."),
        ({"name": "existing ltd"}, "You already have a supplier with this name."),
        ({"email": "not-an-email"}, "Enter a valid email address, like orders@example.com."),
        ({"phone": "1" * 51}, "Use at most 50 characters."),
        ({"account_number": "A" * 51}, "Use at most 50 characters."),
        ({"name": "N" * 256}, "Use at most 255 characters."),
    ]
    for override, message in cases:
        response = client.post("/suppliers/new", data={**FULL, **override})
        body = response.get_data(as_text=True)
        assert response.status_code == 422, override
        assert message in body, override
        assert "Delivers Tuesdays</textarea>" in body, override
        assert 'value="7 Industry Road"' in body, override
    assert [s.name for s in suppliers(app)] == ["Existing Ltd"]


def test_edit_saves_changes_and_may_keep_its_own_name(app, client, auth, records):
    auth.signup()
    supplier_id = records.supplier(records.workspace_id_of("ada@example.com"), name="Acme Supplies")
    assert "Acme Supplies" in client.get(f"/suppliers/{supplier_id}/edit").get_data(as_text=True)
    response = client.post(f"/suppliers/{supplier_id}/edit",
                           data={"name": "Acme Supplies", "phone": "021 555 0000"})
    [supplier] = suppliers(app)
    assert response.headers["Location"] == f"/suppliers/{supplier_id}"
    assert (supplier.name, supplier.phone, supplier.version) == ("Acme Supplies", "021 555 0000", 2)


def test_unused_supplier_can_be_deleted(app, client, auth, records):
    auth.signup()
    supplier_id = records.supplier(records.workspace_id_of("ada@example.com"))
    response = client.post(f"/suppliers/{supplier_id}/delete")
    assert response.headers["Location"] == "/suppliers/"
    assert suppliers(app) == []


def test_supplier_on_a_purchase_order_cannot_be_deleted(app, client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    supplier_id = records.supplier(mine, name="Busy Supplier")
    records.purchase_order(mine, supplier_id=supplier_id)
    page = client.get(f"/suppliers/{supplier_id}").get_data(as_text=True)
    assert "Delete supplier" not in page and "cannot be deleted" in page

    response = client.post(f"/suppliers/{supplier_id}/delete", follow_redirects=True)
    assert "Busy Supplier cannot be deleted: 1 purchase order uses this supplier." in response.get_data(as_text=True)
    assert [s.name for s in suppliers(app)] == ["Busy Supplier"]


def test_another_workspaces_supplier_cannot_be_edited_or_deleted(app, client, auth, records):
    auth.signup()
    theirs = records.supplier(records.workspace(), name="Theirs")
    assert client.post(f"/suppliers/{theirs}/edit", data={"name": "Mine now"}).status_code == 404
    assert client.post(f"/suppliers/{theirs}/delete").status_code == 404
    assert [s.name for s in suppliers(app)] == ["Theirs"]


def test_search_filters_the_list_and_paging_keeps_the_search(client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    for i in range(52):
        records.supplier(mine, name=f"Paper {i:02d}")
    records.supplier(mine, name="Beans Ltd", email="beans@example.com")

    found = client.get("/suppliers/?q=BEANS").get_data(as_text=True)
    paged = client.get("/suppliers/?q=paper").get_data(as_text=True)
    fragment = client.get("/suppliers/?q=paper&page=2", headers={"HX-Request": "true"})

    assert "Beans Ltd" in found and "Paper 00" not in found
    assert "Beans Ltd" not in paged and "Page 1 of 2" in paged
    assert 'href="/suppliers/?q=paper&amp;page=2"' in paged
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Paper 51" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_search_with_no_match_says_so(client, auth):
    auth.signup()
    body = client.get("/suppliers/?q=100%25").get_data(as_text=True)
    assert "No suppliers match “100%”" in body


def _add(app, row) -> None:
    with app.app_context():
        db.session.add(row)
        db.session.commit()


def test_deleting_a_supplier_drops_its_xero_links_but_not_while_a_push_is_pending(app, client, auth, records):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    supplier_id = records.supplier(mine, name="Linked Supplier")
    _add(app, PushJob(workspace_id=mine, record_kind="supplier", record_id=supplier_id,
                      action="send", status="queued"))
    response = client.post(f"/suppliers/{supplier_id}/delete", follow_redirects=True)
    assert "Linked Supplier is being sent to Xero right now" in response.get_data(as_text=True)
    assert [s.name for s in suppliers(app)] == ["Linked Supplier"]

    with app.app_context():
        db.session.execute(sa.update(PushJob).values(status="done"))
        db.session.add(XeroLink(workspace_id=mine, record_kind="supplier", record_id=supplier_id,
                                tenant_id="t-1", xero_id="x-1"))
        db.session.commit()
    assert client.post(f"/suppliers/{supplier_id}/delete").headers["Location"] == "/suppliers/"
    with app.app_context():
        assert suppliers(app) == []
        assert db.session.scalars(sa.select(XeroLink)).all() == []
