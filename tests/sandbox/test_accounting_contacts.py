"""/Contacts: create, upsert, update, reads, filters, paging, uniqueness, batch error modes."""
from __future__ import annotations

import re

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

API = "/api.xro/2.0"
DUPLICATE = ("The contact name {} is already assigned to another contact. "
             "The contact name must be unique across all active contacts.")


def put_contacts(client, headers, *contacts: dict, query: str = ""):
    return client.put(f"{API}/Contacts{query}", headers=headers, json={"Contacts": list(contacts)})


def names(response) -> list[str]:
    return [c["Name"] for c in response.get_json()["Contacts"]]


def test_put_creates_a_contact_in_xero_shape(client, headers) -> None:
    response = put_contacts(client, headers, {"Name": "Acme Ltd", "EmailAddress": "ap@acme.test",
                                              "ContactNumber": "C-1", "Unknown": "ignored"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["Status"] == "OK" and re.fullmatch(r"/Date\(\d+\)/", body["DateTimeUTC"])
    contact = body["Contacts"][0]
    assert contact["Name"] == "Acme Ltd" and contact["ContactStatus"] == "ACTIVE"
    assert contact["StatusAttributeString"] == "OK"
    assert re.fullmatch(r"/Date\(\d+\+0000\)/", contact["UpdatedDateUTC"])
    assert "Unknown" not in contact
    assert {a["AddressType"] for a in contact["Addresses"]} == {"STREET", "POBOX"}
    stored = client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts").get_json()["Contacts"]
    assert [c["ContactID"] for c in stored] == [contact["ContactID"]]


def test_get_by_id_and_by_contact_number_and_404(client, headers) -> None:
    contact = put_contacts(client, headers, {"Name": "Acme", "ContactNumber": "ACME-1"}).get_json()["Contacts"][0]
    by_id = client.get(f"{API}/Contacts/{contact['ContactID']}", headers=headers)
    by_number = client.get(f"{API}/Contacts/ACME-1", headers=headers)
    assert names(by_id) == names(by_number) == ["Acme"]
    missing = client.get(f"{API}/Contacts/00000000-0000-0000-0000-000000000000", headers=headers)
    assert missing.status_code == 404
    assert client.get(f"{API}/Contacts/NOPE-9", headers=headers).status_code == 404


def test_name_must_be_unique_among_active_contacts(client, headers) -> None:
    put_contacts(client, headers, {"Name": "Buzz Lightyear"})
    clash = put_contacts(client, headers, {"Name": "buzz lightyear "})
    assert clash.status_code == 400
    body = clash.get_json()
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    assert body["Elements"][0]["ValidationErrors"] == [{"Message": DUPLICATE.format("buzz lightyear ")}]
    assert body["Elements"][0]["Name"] == "buzz lightyear "  # the element is echoed back


def test_an_archived_contact_frees_its_name(client, headers) -> None:
    old = put_contacts(client, headers, {"Name": "Woody"}).get_json()["Contacts"][0]
    archived = client.post(f"{API}/Contacts/{old['ContactID']}", headers=headers,
                           json={"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert archived.get_json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    assert put_contacts(client, headers, {"Name": "Woody"}).status_code == 200
    # ... and cannot be re-activated while the name is taken again
    back = client.post(f"{API}/Contacts/{old['ContactID']}", headers=headers,
                       json={"Contacts": [{"ContactStatus": "ACTIVE"}]})
    assert back.status_code == 400
    listed = client.get(f"{API}/Contacts", headers=headers)
    assert names(listed) == ["Woody"]
    everything = client.get(f"{API}/Contacts?includeArchived=true", headers=headers)
    assert names(everything) == ["Woody", "Woody"]


def test_name_is_required_on_create(client, headers) -> None:
    response = put_contacts(client, headers, {"EmailAddress": "x@y.test"})
    assert response.status_code == 400
    assert response.get_json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "The contact name must be specified."}]


def test_email_must_be_valid(client, headers) -> None:
    response = put_contacts(client, headers, {"Name": "Bad Mail", "EmailAddress": "not-an-email"})
    assert response.status_code == 400
    assert response.get_json()["Elements"][0]["ValidationErrors"] == [{"Message": "Email address must be valid."}]


def test_max_length_comes_from_the_spec(client, headers) -> None:
    response = put_contacts(client, headers, {"Name": "Long", "ContactNumber": "x" * 51})
    assert response.status_code == 400
    message = response.get_json()["Elements"][0]["ValidationErrors"][0]["Message"]
    assert "ContactNumber" in message and "50" in message


def test_unreadable_types_fail_the_whole_request(client, headers) -> None:
    response = client.put(f"{API}/Contacts?summarizeErrors=false", headers=headers,
                          json={"Contacts": [{"Name": "Fine"}, {"Name": "Bad", "Addresses": {"City": "x"}}]})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ErrorNumber"] == 14 and body["Type"] == "PostDataInvalidException"
    assert "Contacts[1].Addresses" in body["Message"]
    assert client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"] == []


def test_post_updates_by_contact_id_and_merges_addresses(client, headers) -> None:
    contact = put_contacts(client, headers, {"Name": "Acme", "Addresses": [
        {"AddressType": "POBOX", "City": "Wellington"}]}).get_json()["Contacts"][0]
    response = client.post(f"{API}/Contacts", headers=headers, json={"Contacts": [
        {"ContactID": contact["ContactID"], "Name": "Acme Renamed",
         "Addresses": [{"AddressType": "STREET", "City": "Auckland"}]}]})
    assert response.status_code == 200
    updated = response.get_json()["Contacts"][0]
    assert updated["ContactID"] == contact["ContactID"] and updated["Name"] == "Acme Renamed"
    cities = {a["AddressType"]: a["City"] for a in updated["Addresses"]}
    assert cities == {"STREET": "Auckland", "POBOX": "Wellington"}
    assert len(client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"]) == 1


FULL_CONTACT = {
    "Name": "Harbour Plumbing", "ContactNumber": "HP-001", "EmailAddress": "accounts@harbour.test",
    "FirstName": "Tama", "LastName": "Rewi", "AccountNumber": "ACC-77", "TaxNumber": "12-345-678",
    "Addresses": [{"AddressType": "POBOX", "AddressLine1": "PO Box 12", "City": "Napier",
                   "PostalCode": "4140", "Country": "New Zealand"}],
    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "835 1234", "PhoneAreaCode": "06"},
               {"PhoneType": "MOBILE", "PhoneNumber": "021 555 000"}],
}


def test_post_to_a_contact_keeps_what_is_left_out_and_clears_what_is_sent_empty(client, headers):
    """Xero updates only the fields an update carries: one left out (or null) keeps its
    value, one sent as "" is cleared; an address or phone sent merges into the one of its
    type, field by field."""
    contact = put_contacts(client, headers, FULL_CONTACT).get_json()["Contacts"][0]
    response = client.post(f"{API}/Contacts/{contact['ContactID']}", headers=headers, json={
        "Contacts": [{"EmailAddress": "new@harbour.test", "TaxNumber": "", "FirstName": None,
                      "Addresses": [{"AddressType": "POBOX", "City": "Hastings"}],
                      "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": ""}]}]})
    assert response.status_code == 200
    updated = client.get(f"{API}/Contacts/{contact['ContactID']}", headers=headers).get_json()["Contacts"][0]
    assert updated["EmailAddress"] == "new@harbour.test"
    assert updated["TaxNumber"] == ""
    kept = ("Name", "ContactNumber", "FirstName", "LastName", "AccountNumber")
    assert {k: updated[k] for k in kept} == {k: FULL_CONTACT[k] for k in kept}
    postal = next(a for a in updated["Addresses"] if a["AddressType"] == "POBOX")
    assert (postal["AddressLine1"], postal["City"], postal["PostalCode"]) == ("PO Box 12", "Hastings", "4140")
    phones = {p["PhoneType"]: p for p in updated["Phones"]}
    assert (phones["DEFAULT"]["PhoneNumber"], phones["DEFAULT"]["PhoneAreaCode"]) == ("835 1234", "06")
    assert phones["MOBILE"]["PhoneNumber"] == ""


def test_post_without_id_matches_on_contact_number_else_creates(client, headers) -> None:
    put_contacts(client, headers, {"Name": "Acme", "ContactNumber": "C-7"})
    client.post(f"{API}/Contacts", headers=headers, json={"Contacts": [
        {"ContactNumber": "C-7", "EmailAddress": "new@acme.test"}, {"Name": "Other"}]})
    listed = client.get(f"{API}/Contacts?order=Name", headers=headers).get_json()["Contacts"]
    assert [(c["Name"], c.get("EmailAddress")) for c in listed] == [("Acme", "new@acme.test"), ("Other", None)]


def test_put_never_updates(client, headers) -> None:
    contact = put_contacts(client, headers, {"Name": "Acme", "ContactNumber": "C-1"}).get_json()["Contacts"][0]
    again = put_contacts(client, headers, {"ContactID": contact["ContactID"], "Name": "Changed"})
    assert again.status_code == 400
    same_number = put_contacts(client, headers, {"Name": "Other", "ContactNumber": "C-1"})
    assert same_number.status_code == 400
    assert names(client.get(f"{API}/Contacts", headers=headers)) == ["Acme"]


def test_post_to_an_unknown_contact_id_is_404(client, headers) -> None:
    response = client.post(f"{API}/Contacts/7d05a53d-613d-4eb2-a2fc-dcb6adb80b80", headers=headers,
                           json={"Contacts": [{"Name": "x"}]})
    assert response.status_code == 404


def test_summarize_errors_false_saves_the_valid_and_flags_the_rest(client, headers) -> None:
    put_contacts(client, headers, {"Name": "Taken"})
    response = put_contacts(client, headers, {"Name": "New One"}, {"Name": "Taken"}, {"Name": "New Two"},
                            query="?summarizeErrors=false")
    assert response.status_code == 200
    results = response.get_json()["Contacts"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "OK"]
    assert results[1]["ValidationErrors"] == [{"Message": DUPLICATE.format("Taken")}]
    assert "ContactID" in results[0] and "ContactID" not in results[1]
    assert sorted(names(client.get(f"{API}/Contacts", headers=headers))) == ["New One", "New Two", "Taken"]


def test_summarized_errors_roll_back_the_whole_batch(client, headers) -> None:
    response = put_contacts(client, headers, {"Name": "Fine"}, {"Name": "Twin"}, {"Name": "Twin"})
    assert response.status_code == 400
    elements = response.get_json()["Elements"]
    assert [e["Name"] for e in elements] == ["Twin"]  # only the failed element is echoed
    assert client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"] == []


def test_paging_is_100_per_page_and_page_size_is_honoured(client, headers) -> None:
    for start in range(0, 150, 50):  # batches of 50, as the app sends them
        batch = [{"Name": f"Contact {n:03d}"} for n in range(start, start + 50)]
        assert put_contacts(client.raw, headers, *batch).status_code == 200  # shape checked elsewhere
    first = client.get(f"{API}/Contacts?page=1", headers=headers).get_json()
    second = client.get(f"{API}/Contacts?page=2", headers=headers).get_json()
    assert len(first["Contacts"]) == 100 and len(second["Contacts"]) == 50
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 150}
    assert second["Contacts"][0]["Name"] == "Contact 100"
    small = client.get(f"{API}/Contacts?page=3&pageSize=20", headers=headers).get_json()
    assert small["pagination"] == {"page": 3, "pageSize": 20, "pageCount": 8, "itemCount": 150}
    assert small["Contacts"][0]["Name"] == "Contact 040"
    capped = client.get(f"{API}/Contacts?page=1&pageSize=5000", headers=headers).get_json()
    assert capped["pagination"]["pageSize"] == 1000 and len(capped["Contacts"]) == 150
    unpaged = client.get(f"{API}/Contacts", headers=headers).get_json()
    assert "pagination" not in unpaged and len(unpaged["Contacts"]) == 150


def test_ids_search_term_and_summary_only(client, headers) -> None:
    made = put_contacts(client, headers, {"Name": "Alpha Traders", "EmailAddress": "sales@alpha.test"},
                        {"Name": "Beta", "FirstName": "Alphonse"}, {"Name": "Gamma"}).get_json()["Contacts"]
    ids = ",".join(c["ContactID"] for c in made[1:])
    assert names(client.get(f"{API}/Contacts?IDs={ids}", headers=headers)) == ["Beta", "Gamma"]
    assert names(client.get(f"{API}/Contacts?searchTerm=ALPH", headers=headers)) == ["Alpha Traders", "Beta"]
    summary = client.get(f"{API}/Contacts?summaryOnly=true", headers=headers).get_json()["Contacts"]
    assert all("Addresses" not in c and "Name" in c for c in summary)
    # Xero answers a malformed id list in plain text (pyxero#339), which the spec does not model.
    bad = client.raw.get(f"{API}/Contacts?IDs=abc", headers=headers)
    assert bad.status_code == 400 and b"must be of type UUID" in bad.data


def test_if_modified_since_filters_on_updated_date(client, headers) -> None:
    put_contacts(client, headers, {"Name": "Old"})
    client.post("/_sandbox/clock", json={"advance": 600})
    put_contacts(client, headers, {"Name": "New"})
    now = client.get("/_sandbox/clock").get_json()["now"]
    from datetime import datetime, timedelta
    since = (datetime.fromisoformat(now) - timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    response = client.get(f"{API}/Contacts", headers={**headers, "If-Modified-Since": since})
    assert names(response) == ["New"]


def test_organisations_do_not_see_each_others_contacts(client, token) -> None:
    demo, second = auth_headers(token, DEMO_TENANT_ID), auth_headers(token, SECOND_TENANT_ID)
    made = put_contacts(client, demo, {"Name": "Shared Name"}).get_json()["Contacts"][0]
    assert client.get(f"{API}/Contacts", headers=second).get_json()["Contacts"] == []
    assert client.get(f"{API}/Contacts/{made['ContactID']}", headers=second).status_code == 404
    assert put_contacts(client, second, {"Name": "Shared Name"}).status_code == 200  # unique per org


def test_read_scope_cannot_write(client) -> None:
    token = minted_token(client, scopes="offline_access accounting.contacts.read")
    headers = auth_headers(token)
    assert client.get(f"{API}/Contacts", headers=headers).status_code == 200
    assert put_contacts(client, headers, {"Name": "Nope"}).status_code == 401
