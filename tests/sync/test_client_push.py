"""Client -> Xero Contact, end to end: the panel's button, the worker, the sandbox."""
from __future__ import annotations

import pytest

from tests.sync.push_support import text_of


def test_send_creates_exactly_one_contact_with_our_fields(desk, records):
    client_id = records.client(desk.workspace_id, name="Bayside Café", email="hi@bayside.example",
                               phone="09 555 1234", first_name="Mere", last_name="Tane",
                               address_line1="1 Quay St", city="Auckland", postal_code="1010",
                               country="New Zealand", account_number="BAY-1", tax_number="123-456-789")
    panel = desk.send("client", client_id)

    (contact,) = desk.held("contacts")
    assert contact["Name"] == "Bayside Café"
    assert contact["ContactNumber"] == f"XA-C-{client_id}"
    assert contact["EmailAddress"] == "hi@bayside.example"
    assert (contact["FirstName"], contact["LastName"]) == ("Mere", "Tane")
    assert (contact["AccountNumber"], contact["TaxNumber"]) == ("BAY-1", "123-456-789")
    postal = next(a for a in contact["Addresses"] if a["AddressType"] == "POBOX")
    assert (postal["AddressLine1"], postal["City"], postal["PostalCode"]) == ("1 Quay St", "Auckland", "1010")
    assert any(p.get("PhoneNumber") == "09 555 1234" for p in contact["Phones"])

    link = desk.link("client", client_id)
    assert link.xero_id == contact["ContactID"] and link.pushed_version == 1
    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.action, job.attempts) == ("done", "send", 1)
    assert job.idempotency_key.startswith(f"xa-client-{client_id}-v1-send-p{job.id}")
    assert "In Xero" in text_of(panel) and ">Update<" in panel
    assert "No changes since last push" in panel


def test_update_changes_the_linked_contact_and_creates_nothing(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café", email="old@bayside.example")
    desk.send("client", client_id)
    contact_id = desk.link("client", client_id).xero_id

    from xeroapp.extensions import db
    from xeroapp.models import Client
    with app.app_context():
        client = db.session.get(Client, client_id)
        client.name, client.email = "Bayside Café & Bar", "new@bayside.example"
        db.session.commit()
    assert "Changed since the last push" in text_of(desk.panel("client", client_id))

    panel = desk.send("client", client_id)

    (contact,) = desk.held("contacts")
    assert contact["ContactID"] == contact_id
    assert (contact["Name"], contact["EmailAddress"]) == ("Bayside Café & Bar", "new@bayside.example")
    assert [(j.action, j.status) for j in desk.jobs("client", client_id)] == [("send", "done"), ("update", "done")]
    assert desk.link("client", client_id).pushed_version == 2
    assert "No changes since last push" in panel


@pytest.mark.parametrize("name", ["O'Brien & Sons", 'The "Best" Beans + Co', "Back\\slash Ltd"])
def test_existing_contact_with_the_same_name_is_linked_not_duplicated(desk, records, name):
    existing = desk.add_contact(name.upper() if "+" in name else name)  # Xero ignores case
    client_id = records.client(desk.workspace_id, name=name, email="a@b.example")

    desk.send("client", client_id)

    (contact,) = desk.held("contacts")
    assert contact["ContactID"] == existing
    assert contact["ContactNumber"] == f"XA-C-{client_id}"  # brought up to date with ours
    assert contact["EmailAddress"] == "a@b.example"
    assert desk.link("client", client_id).xero_id == existing


def test_contact_carrying_our_number_is_found_again_after_links_are_lost(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Harbour Bakery")
    desk.add_contact("Harbour Bakery (old name)", ContactNumber=f"XA-C-{client_id}")

    desk.send("client", client_id)

    (contact,) = desk.held("contacts")
    assert contact["Name"] == "Harbour Bakery"


def test_several_contacts_with_the_name_ask_the_user_to_choose(desk, records):
    first = desk.add_contact("Kai Cafe", EmailAddress="north@kai.example")
    desk.set_status("contacts", first, "ARCHIVED")  # Xero allows one ACTIVE contact per name...
    second = desk.add_contact("Kai Cafe", EmailAddress="south@kai.example")
    desk.set_status("contacts", first, "ACTIVE")  # ...but users end up with several anyway
    client_id = records.client(desk.workspace_id, name="Kai Cafe")

    panel = desk.send("client", client_id)

    assert len(desk.held("contacts")) == 2  # nothing created
    text = text_of(panel)
    assert 'Xero already has 2 contacts named "Kai Cafe"' in text
    assert "north@kai.example" in text and "south@kai.example" in text
    assert f'value="{first}"' in panel and f'value="{second}"' in panel and 'value="new"' in panel
    assert 'hx-trigger="load delay:1s"' not in panel

    answer = desk.press("client", client_id, contact_id=second)
    assert answer.status_code == 200 and "Queued" in answer.get_data(as_text=True)
    desk.drain()

    assert desk.link("client", client_id).xero_id == second
    assert len(desk.held("contacts")) == 2
    assert desk.jobs("client", client_id)[-1].status == "done"
    # Xero refuses edits while the two share a name: linked, and offered as not yet updated.
    assert "Changed since the last push" in text_of(desk.panel("client", client_id))


def test_a_choice_not_offered_is_refused(desk, records):
    client_id = records.client(desk.workspace_id, name="Nobody")
    answer = desk.press("client", client_id, contact_id="11111111-1111-1111-1111-111111111111")
    assert "Choose one of the contacts listed" in answer.get_data(as_text=True)
    assert desk.jobs("client", client_id) == []


def test_xero_validation_error_is_shown_with_the_field_and_the_record_intact(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bad Email Ltd", email="not-an-email")

    panel = desk.send("client", client_id)

    assert desk.held("contacts") == []
    text = text_of(panel)
    assert "Could not send." in text and "Email address must be valid." in text
    assert "Xero complained about: Email" in text and "Try again" in text
    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.error_field) == ("failed", "validation", "Email")
    from xeroapp.extensions import db
    from xeroapp.models import Client
    with app.app_context():
        assert db.session.get(Client, client_id).email == "not-an-email"
    assert desk.link("client", client_id) is None


def test_supplier_goes_with_its_own_contact_number(desk, records):
    supplier_id = records.supplier(desk.workspace_id, name="Pacific Paper Co.")
    assert "In Xero" in text_of(desk.send("supplier", supplier_id))
    (contact,) = desk.held("contacts")
    assert contact["ContactNumber"] == f"XA-S-{supplier_id}"


def test_invoice_whose_client_name_is_ambiguous_asks_on_the_invoice_panel(desk, records):
    first = desk.add_contact("Kai Cafe", EmailAddress="north@kai.example")
    desk.set_status("contacts", first, "ARCHIVED")
    second = desk.add_contact("Kai Cafe", EmailAddress="south@kai.example")
    desk.set_status("contacts", first, "ACTIVE")
    client_id = records.client(desk.workspace_id, name="Kai Cafe")
    invoice_id = records.invoice(desk.workspace_id, client_id=client_id)

    panel = desk.send("invoice", invoice_id)
    assert "Choose the one that is your client Kai Cafe" in text_of(panel)
    assert desk.held("invoices") == []

    desk.press("invoice", invoice_id, contact_id=first)
    desk.drain()

    (invoice,) = desk.held("invoices")
    assert invoice["Contact"]["ContactID"] == first
    assert desk.link("client", client_id).xero_id == first
