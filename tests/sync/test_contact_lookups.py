"""Finding contacts already in Xero, and linking to them without wiping them.

- Lookups stay under the length Xero's servers take (they answer a query string over 2,048
  characters with a 404): a first bulk send of many long names into an established
  organisation works, and a refused lookup says so in plain words.
- A name with double quotes (Xero's ``where`` cannot hold one) is found by ``searchTerm``,
  alone and in bulk, without failing its batch-mates.
- Adopting a contact keyed into Xero sends only what we hold; an Update after that sends only
  what changed here.
"""
from __future__ import annotations

import httpx
import pytest

from tests.sync.push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models import Client, XeroLink
from xeroapp.xero import client as xero_client
from xeroapp.xero.client import MAX_URL_LENGTH, XeroClient

PLUMBER = 'Joe "Plumber" Ltd'
# A contact the business keyed into Xero before connecting us: everything filled in.
KEYED_IN = {
    "ContactNumber": "HP-001", "EmailAddress": "accounts@plumber.example",
    "FirstName": "Joe", "LastName": "Bloggs", "AccountNumber": "ACC-77",
    "TaxNumber": "12-345-678",
    "Addresses": [{"AddressType": "POBOX", "AddressLine1": "PO Box 12", "City": "Napier",
                   "PostalCode": "4140", "Country": "New Zealand"},
                  {"AddressType": "STREET", "AddressLine1": "3 Marine Parade", "City": "Napier"}],
    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "835 1234", "PhoneAreaCode": "06"},
               {"PhoneType": "MOBILE", "PhoneNumber": "021 555 000"}],
}


class Recorder(httpx.WSGITransport):
    """The in-process sandbox, remembering every request the app sends it."""

    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)

    def gets(self, resource: str) -> list[httpx.Request]:
        return [r for r in self.sent
                if r.method == "GET" and r.url.path == f"/api.xro/2.0/{resource}"]


@pytest.fixture
def recorded(desk) -> Recorder:
    transport = Recorder(desk.sandbox)
    desk.app.config["XERO_HTTP_TRANSPORT"] = transport
    return transport


def contact(desk, contact_id: str) -> dict:
    return next(c for c in desk.held("contacts") if c["ContactID"] == contact_id)


def without_time(contact: dict) -> dict:
    return {k: v for k, v in contact.items() if k != "UpdatedDateUTC"}


def with_region(contact: dict, region: str) -> dict:
    """``contact`` with its postal address's Region set (a copy)."""
    addresses = [{**a, "Region": region} if a["AddressType"] == "POBOX" else a
                 for a in contact["Addresses"]]
    return {**contact, "Addresses": addresses}


def add_contacts(desk, contacts: list[dict]) -> list[str]:
    """Contacts keyed into Xero by hand (through the API, as another app would), one call."""
    with desk.app.app_context():
        answer = XeroClient.for_workspace(desk.workspace_id).accounting(
            "PUT", "Contacts", json={"Contacts": contacts})
    return [c["ContactID"] for c in answer["Contacts"]]


def start_bulk(desk) -> None:
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX).status_code == 200
    desk.drain()


def bulk_summary(desk) -> str:
    response = desk.client.get("/xero/bulk/clients", headers=HTMX)
    return text_of(response.get_data(as_text=True)).replace(" :", ":")


def edit_client(app, client_id: int, **values) -> None:
    with app.app_context():
        record = db.session.get(Client, client_id)
        for key, value in values.items():
            setattr(record, key, value)
        db.session.commit()


# -- adoption keeps what Xero holds ---------------------------------------------------------------

def test_send_adopts_a_keyed_in_contact_and_keeps_every_field_of_it(desk, records, app):
    existing = desk.add_contact(PLUMBER, **KEYED_IN)
    before = contact(desk, existing)
    client_id = records.client(desk.workspace_id, name=PLUMBER, region="Hawke's Bay")

    panel = desk.send("client", client_id)

    assert "In Xero" in text_of(panel)
    (after,) = desk.held("contacts")
    assert after["ContactID"] == existing and desk.link("client", client_id).xero_id == existing
    postal = next(a for a in after["Addresses"] if a["AddressType"] == "POBOX")
    assert postal["Region"] == "Hawke's Bay"  # what we hold is sent ...
    assert without_time(after) == without_time(with_region(before, "Hawke's Bay"))
    assert after["ContactNumber"] == "HP-001"  # ... and nothing of theirs is lost

    edit_client(app, client_id, email="new@plumber.example")
    desk.send("client", client_id)

    (updated,) = desk.held("contacts")
    assert updated["EmailAddress"] == "new@plumber.example"
    assert without_time({**updated, "EmailAddress": None}) == without_time({**after, "EmailAddress": None})
    assert [j.status for j in desk.jobs("client", client_id)] == ["done", "done"]


def test_update_clears_what_was_cleared_here_and_keeps_what_xero_added(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Harbour Books", phone="09 555 0101",
                               email="hi@harbour.example")
    desk.send("client", client_id)
    contact_id = desk.link("client", client_id).xero_id
    with app.app_context():  # the accountant adds a tax number in Xero meanwhile
        XeroClient.for_workspace(desk.workspace_id).accounting(
            "POST", f"Contacts/{contact_id}", json={"Contacts": [{"TaxNumber": "98-765-432"}]})

    edit_client(app, client_id, phone=None, city="Napier")
    desk.send("client", client_id)

    held = contact(desk, contact_id)
    default = next(p for p in held["Phones"] if p["PhoneType"] == "DEFAULT")
    assert default["PhoneNumber"] == ""  # cleared here: cleared in Xero
    assert held["TaxNumber"] == "98-765-432"  # never ours: left alone
    assert held["EmailAddress"] == "hi@harbour.example"
    assert next(a for a in held["Addresses"] if a["AddressType"] == "POBOX")["City"] == "Napier"


def test_bulk_adoption_keeps_every_field_of_the_keyed_in_contacts(desk, records):
    (existing,) = add_contacts(desk, [{"Name": PLUMBER, **KEYED_IN}])
    before = contact(desk, existing)
    client_id = records.client(desk.workspace_id, name=PLUMBER)

    start_bulk(desk)

    assert desk.link("client", client_id).xero_id == existing
    assert without_time(contact(desk, existing)) == without_time(before)
    assert "1 sent · 0 failed" in bulk_summary(desk)


# -- names with double quotes ----------------------------------------------------------------------

def test_a_name_with_double_quotes_is_sent_and_found_again(desk, records, app, recorded):
    client_id = records.client(desk.workspace_id, name=PLUMBER, email="joe@plumber.example")

    panel = desk.send("client", client_id)

    assert "In Xero" in text_of(panel)
    (created,) = desk.held("contacts")
    assert created["Name"] == PLUMBER
    lookups = recorded.gets("Contacts")
    assert all('\\"' not in r.url.params.get("where", "") for r in lookups)
    assert any(r.url.params.get("searchTerm") == "Plumber" for r in lookups)

    # The link lost (a push whose answer never came): found again, not created twice.
    with app.app_context():
        db.session.execute(db.delete(XeroLink))
        db.session.commit()
    assert "In Xero" in text_of(desk.send("client", client_id))
    assert [c["ContactID"] for c in desk.held("contacts")] == [created["ContactID"]]
    assert desk.link("client", client_id).xero_id == created["ContactID"]


def test_send_adopts_an_existing_contact_named_with_double_quotes(desk, records):
    existing = desk.add_contact(PLUMBER, EmailAddress="accounts@plumber.example")
    desk.add_contact('Joe "Plumber" Ltd (old)')  # shares the part searched for
    client_id = records.client(desk.workspace_id, name=PLUMBER)

    desk.send("client", client_id)

    assert desk.link("client", client_id).xero_id == existing
    assert len(desk.held("contacts")) == 2
    assert contact(desk, existing)["EmailAddress"] == "accounts@plumber.example"


def test_a_name_with_double_quotes_among_its_bulk_batch_mates(desk, records):
    existing = add_contacts(desk, [{"Name": PLUMBER, **KEYED_IN},
                                   {"Name": "Kai Cafe", "EmailAddress": "kai@kai.example"},
                                   {"Name": 'The "Best" Beans', "TaxNumber": "55-555-555"}])
    names = [PLUMBER, "Kai Cafe", 'The "Best" Beans', 'Mere\'s "Corner" Store', "Harbour Books"]
    ids = {name: records.client(desk.workspace_id, name=name) for name in names}

    start_bulk(desk)

    assert "5 sent · 0 failed" in bulk_summary(desk)
    held = {c["Name"]: c for c in desk.held("contacts")}
    assert sorted(held) == sorted(names)  # two created, three adopted, none twice
    for name, contact_id in zip((PLUMBER, "Kai Cafe", 'The "Best" Beans'), existing):
        assert desk.link("client", ids[name]).xero_id == contact_id
    assert held[PLUMBER]["ContactNumber"] == "HP-001"
    assert held["Kai Cafe"]["ContactNumber"] == f"XA-C-{ids['Kai Cafe']}"  # it had none
    assert held['The "Best" Beans']["TaxNumber"] == "55-555-555"


# -- long lookups -----------------------------------------------------------------------------------

def long_name(n: int) -> str:
    return f"Wholesale Plumbing & Drainage Supplies / Hawke's Bay #{n:03d} Ltd"


def test_first_bulk_send_of_60_long_names_into_an_established_organisation(desk, records,
                                                                           recorded):
    keyed_in = add_contacts(desk, [{"Name": long_name(n), "EmailAddress": f"ap{n}@supplies.example",
                                    "AccountNumber": f"ACC-{n}"} for n in range(55)])
    ids = [records.client(desk.workspace_id, name=long_name(n)) for n in range(60)]

    start_bulk(desk)

    assert "60 sent · 0 failed" in bulk_summary(desk)
    held = desk.held("contacts")
    assert len(held) == 60  # 55 adopted, 5 created
    for n, contact_id in enumerate(keyed_in):
        assert desk.link("client", ids[n]).xero_id == contact_id
        kept = contact(desk, contact_id)
        assert (kept["EmailAddress"], kept["AccountNumber"]) == (f"ap{n}@supplies.example", f"ACC-{n}")
    lookups = recorded.gets("Contacts")
    assert len(lookups) >= 2  # 50 such names do not fit one URL
    assert all(len(str(r.url)) <= MAX_URL_LENGTH for r in lookups)
    assert sum(r.url.params["where"].count("Name==") for r in lookups) == 55


def test_a_lookup_xeros_servers_refuse_is_explained_not_a_crash(desk, records, monkeypatch):
    """Should Xero's limit ever be lower than we allow for, the 404 page its servers answer
    with says so in plain words, and nothing is lost."""
    monkeypatch.setattr(xero_client, "MAX_URL_LENGTH", 10_000)
    add_contacts(desk, [{"Name": long_name(n)} for n in range(50)])
    ids = [records.client(desk.workspace_id, name=long_name(n)) for n in range(50)]

    start_bulk(desk)

    page = bulk_summary(desk)
    assert "Something went wrong" not in page
    assert ("Could not search Xero for this client: Xero's servers refused the search as too "
            "long (HTTP 404 for a URL of") in page and "try again" in page
    assert len(desk.held("contacts")) == 50 and desk.link("client", ids[0]) is None
    panel = text_of(desk.panel("client", ids[0]))
    assert "Xero's servers refused the search as too long" in panel and "Try again" in panel
