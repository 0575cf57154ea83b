"""Creating, editing and deleting clients through the web forms."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Client, XeroLink

FULL = {
    "name": "O'Brien & Sons Builders", "email": "office@obrien.example", "phone": "04 555 0192",
    "first_name": "Liam", "last_name": "O'Brien", "address_line1": "88 Cuba Street",
    "address_line2": "Level 2", "city": "Wellington", "region": "Wellington",
    "postal_code": "6011", "country": "New Zealand", "account_number": "OBR001",
    "tax_number": "123-456-789", "notes": "Pays on the 20th.\nCall before delivering.",
}


@pytest.fixture
def ada(auth, records) -> int:
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def stored(app, **where) -> Client | None:
    with app.app_context():
        client = db.session.scalar(sa.select(Client).filter_by(**where))
        if client is not None:
            db.session.expunge(client)
        return client


def test_new_client_persists_exactly_what_was_entered(app, client, ada):
    response = client.post("/clients/new", data={**FULL, "name": "  O'Brien & Sons Builders "})

    saved = stored(app, workspace_id=ada)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clients/{saved.id}"
    assert {field: getattr(saved, field) for field in FULL} == FULL
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Client “O&#39;Brien &amp; Sons Builders” added." in page
    assert "88 Cuba Street" in page and "Pays on the 20th." in page


def test_blank_optional_fields_are_stored_as_null(app, client, ada):
    client.post("/clients/new", data={"name": "Bayside Café", "email": " ", "phone": ""})

    saved = stored(app, workspace_id=ada)
    assert (saved.name, saved.email, saved.phone, saved.city) == ("Bayside Café", None, None, None)


@pytest.mark.parametrize("field, value, message", [
    ("name", "   ", "Enter the client&#39;s name."),
    ("name", "x" * 256, "Use at most 255 characters (Xero&#39;s limit)."),
    ("email", "not-an-email", "Enter a valid email address, like accounts@example.com."),
    ("email", "a" * 250 + "@example.com", "Use at most 255 characters (Xero&#39;s limit)."),
    ("first_name", "x" * 256, "Use at most 255 characters"),
    ("last_name", "x" * 256, "Use at most 255 characters"),
    ("phone", "1" * 51, "Use at most 50 characters"),
    ("address_line1", "x" * 501, "Use at most 500 characters"),
    ("address_line2", "x" * 501, "Use at most 500 characters"),
    ("city", "x" * 256, "Use at most 255 characters"),
    ("region", "x" * 256, "Use at most 255 characters"),
    ("postal_code", "1" * 51, "Use at most 50 characters"),
    ("country", "x" * 51, "Use at most 50 characters"),
    ("account_number", "x" * 51, "Use at most 50 characters"),
    ("tax_number", "x" * 51, "Use at most 50 characters"),
])
def test_validation_messages_keep_what_was_typed(app, client, ada, field, value, message):
    data = {**FULL, field: value}

    response = client.post("/clients/new", data=data)

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<ul class="errors" id="{field}-errors"><li>{message}' in body
    assert 'aria-invalid="true"' in body
    for other in ("account_number", "tax_number", "city"):  # nothing typed is lost
        if other != field:
            assert f'value="{FULL[other]}"' in body
    assert stored(app, workspace_id=ada) is None


def test_values_at_xeros_limits_are_accepted(app, client, ada):
    data = {"name": "n" * 255, "phone": "1" * 50, "postal_code": "p" * 50, "country": "c" * 50,
            "address_line1": "a" * 500, "account_number": "x" * 50, "tax_number": "t" * 50}

    assert client.post("/clients/new", data=data).status_code == 302
    assert stored(app, workspace_id=ada).address_line1 == "a" * 500


def test_duplicate_name_in_the_workspace_is_refused_with_a_reason(app, client, ada, records):
    records.client(ada, name="Bayside Café")

    response = client.post("/clients/new", data={"name": "  bayside   CAFÉ "})

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another client is already called “Bayside Café”." in body
    assert "Xero needs every contact name to be unique" in body
    assert 'value="  bayside   CAFÉ "' in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 1


def test_same_name_in_another_workspace_is_fine(app, client, ada, records):
    records.client(records.workspace(), name="Bayside Café")

    assert client.post("/clients/new", data={"name": "Bayside Café"}).status_code == 302


def test_edit_shows_current_values_and_saves_changes(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café", email="old@example.com", city="Auckland")

    form = client.get(f"/clients/{client_id}/edit").get_data(as_text=True)
    response = client.post(f"/clients/{client_id}/edit",
                           data={"name": "Bayside Café", "email": "new@example.com", "city": ""})

    assert 'value="old@example.com"' in form and 'value="Auckland"' in form
    assert response.headers["Location"] == f"/clients/{client_id}"
    saved = stored(app, id=client_id)
    assert (saved.email, saved.city) == ("new@example.com", None)
    assert saved.version == 2  # the Xero panel offers Update for the changed client


def test_saving_unchanged_keeps_the_version(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café", email="a@example.com")

    client.post(f"/clients/{client_id}/edit", data={"name": "Bayside Café", "email": "a@example.com"})

    assert stored(app, id=client_id).version == 1


def test_editing_may_keep_its_own_name_but_not_take_anothers(app, client, ada, records):
    records.client(ada, name="Kiwi Coffee")
    client_id = records.client(ada, name="Bayside Café")

    ok = client.post(f"/clients/{client_id}/edit", data={"name": "Bayside Café", "phone": "1"})
    taken = client.post(f"/clients/{client_id}/edit", data={"name": "Kiwi coffee"})

    assert ok.status_code == 302
    assert taken.status_code == 422
    assert "Another client is already called “Kiwi Coffee”." in taken.get_data(as_text=True)
    assert stored(app, id=client_id).name == "Bayside Café"


def test_forms_refuse_posts_without_csrf(app, client, ada):
    response = client.post("/clients/new", data={"name": "Sneaky"}, csrf=False)

    assert response.status_code == 400
    assert stored(app, workspace_id=ada) is None


def test_unused_client_is_deleted_after_confirmation(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    with app.app_context():
        db.session.add(XeroLink(workspace_id=ada, record_kind="client", record_id=client_id,
                                tenant_id="t-1", xero_id="x-1"))
        db.session.commit()

    confirm = client.get(f"/clients/{client_id}/delete", headers={"HX-Request": "true"})
    response = client.post(f"/clients/{client_id}/delete")

    assert 'id="modal-title">Delete “Bayside Café”?' in confirm.get_data(as_text=True)
    assert response.headers["Location"] == "/clients/"
    assert stored(app, id=client_id) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(XeroLink)) == 0
    assert "Client “Bayside Café” deleted." in client.get("/clients/").get_data(as_text=True)


def test_client_with_invoices_is_not_deleted_and_says_why(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    records.invoice(ada, client_id=client_id, number="INV-0001")
    records.invoice(ada, client_id=client_id, number="INV-0002")

    confirm = client.get(f"/clients/{client_id}/delete").get_data(as_text=True)
    response = client.post(f"/clients/{client_id}/delete")

    reason = "“Bayside Café” has 2 invoices, so it cannot be deleted."
    assert reason in confirm and "Delete client</button>" not in confirm
    assert response.headers["Location"] == f"/clients/{client_id}"
    assert reason in client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert stored(app, id=client_id) is not None


def test_client_being_pushed_is_not_deleted(app, client, ada, records):
    from xeroapp.models import PushJob

    client_id = records.client(ada, name="Bayside Café")
    with app.app_context():
        db.session.add(PushJob(workspace_id=ada, record_kind="client", record_id=client_id,
                               action="send", status="running"))
        db.session.commit()

    client.post(f"/clients/{client_id}/delete")

    assert stored(app, id=client_id) is not None


def test_another_workspaces_client_cannot_be_changed(app, client, ada, records):
    theirs = records.client(records.workspace(), name="Their Client")

    edit = client.post(f"/clients/{theirs}/edit", data={"name": "Mine now"})
    delete = client.post(f"/clients/{theirs}/delete")

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert stored(app, id=theirs).name == "Their Client"
