"""If-Modified-Since on GET /Invoices, /Contacts, /PurchaseOrders, /Items: only what changed
strictly after the header's time, in the formats clients send, with the other filters."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from tests.sandbox.sandbox_helpers import control
from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"
OBJECTS = f"/_sandbox/objects/{DEMO_TENANT_ID}"
LINE = {"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}


def now(client) -> datetime:
    return datetime.fromisoformat(client.get("/_sandbox/clock").get_json()["now"])


def since(client, headers, path: str, moment: str) -> list[dict]:
    response = client.get(f"{API}/{path}", headers={**headers, "If-Modified-Since": moment})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[path.split("?")[0]]


@pytest.fixture
def world(client, headers) -> dict[str, str]:
    """One old and one new object of each kind, twenty sandbox minutes apart (well within the token's 30); answers the
    ids of the new ones and ``cut``, a moment between the two."""
    def make() -> dict[str, str]:
        contact = client.put(f"{API}/Contacts", headers=headers,
                             json={"Contacts": [{"Name": f"C{len(ids)}"}]}).get_json()["Contacts"][0]
        invoice = client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [{
            "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "LineItems": [LINE]}]})
        order = client.put(f"{API}/PurchaseOrders", headers=headers, json={"PurchaseOrders": [{
            "Contact": {"ContactID": contact["ContactID"]}, "LineItems": [{**LINE, "AccountCode": "300"}]}]})
        item = client.put(f"{API}/Items", headers=headers, json={"Items": [{"Code": f"I{len(ids)}"}]})
        return {"Contacts": contact["ContactID"],
                "Invoices": invoice.get_json()["Invoices"][0]["InvoiceID"],
                "PurchaseOrders": order.get_json()["PurchaseOrders"][0]["PurchaseOrderID"],
                "Items": item.get_json()["Items"][0]["ItemID"]}
    ids: dict[str, str] = {}
    ids.update({f"old_{k}": v for k, v in make().items()})
    control(client, "clock", {"advance": 600})
    cut = now(client)
    control(client, "clock", {"advance": 600})
    ids.update({f"new_{k}": v for k, v in make().items()})
    ids["cut"] = cut.isoformat()
    return ids


ID_FIELDS = {"Contacts": "ContactID", "Invoices": "InvoiceID", "PurchaseOrders": "PurchaseOrderID",
             "Items": "ItemID"}


@pytest.mark.parametrize("path", list(ID_FIELDS))
@pytest.mark.parametrize("form", ["iso", "iso_offset", "rfc1123"])
def test_only_objects_changed_after_the_header(client, headers, world, path, form) -> None:
    cut = datetime.fromisoformat(world["cut"])
    moment = {"iso": cut.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
              "iso_offset": cut.astimezone(timezone(timedelta(hours=-8))).isoformat(),
              "rfc1123": format_datetime(cut.astimezone(timezone.utc), usegmt=True)}[form]
    found = [d[ID_FIELDS[path]] for d in since(client, headers, path, moment)]
    assert found == [world[f"new_{path}"]]


def test_a_change_by_a_xero_user_counts(client, headers, world) -> None:
    later = now(client) + timedelta(seconds=1)
    control(client, "clock", {"advance": 5})
    client.post(f"{OBJECTS}/invoices/{world['old_Invoices']}/approve")
    client.post(f"{OBJECTS}/purchaseorders/{world['old_PurchaseOrders']}/submit")
    client.post(f"{OBJECTS}/contacts/{world['old_Contacts']}/archive")
    stamp = later.strftime("%Y-%m-%dT%H:%M:%S")
    assert [d["InvoiceID"] for d in since(client, headers, "Invoices", stamp)] == [world["old_Invoices"]]
    assert [d["PurchaseOrderID"] for d in since(client, headers, "PurchaseOrders", stamp)] == \
        [world["old_PurchaseOrders"]]
    assert since(client, headers, "Contacts", stamp) == []  # archived: hidden unless asked
    archived = since(client, headers, "Contacts?includeArchived=true", stamp)
    assert [d["ContactID"] for d in archived] == [world["old_Contacts"]]


def test_strictly_after(client, headers, world) -> None:
    stored = client.get(f"{API}/Invoices/{world['new_Invoices']}", headers=headers).get_json()["Invoices"][0]
    updated = datetime.fromtimestamp(int(stored["UpdatedDateUTC"][6:19]) / 1000, tz=timezone.utc)
    assert since(client, headers, "Invoices", updated.isoformat(timespec="milliseconds")) == []
    earlier = (updated - timedelta(milliseconds=1)).isoformat(timespec="milliseconds")
    assert [d["InvoiceID"] for d in since(client, headers, "Invoices", earlier)] == [world["new_Invoices"]]


def test_combined_with_page_ids_and_statuses(client, headers, world) -> None:
    cut = world["cut"]
    paged = client.get(f"{API}/Invoices?page=1", headers={**headers, "If-Modified-Since": cut}).get_json()
    assert paged["pagination"]["itemCount"] == 1
    assert paged["Invoices"][0]["InvoiceID"] == world["new_Invoices"]
    assert paged["Invoices"][0]["LineItems"]
    both = f"{world['old_Invoices']},{world['new_Invoices']}"
    by_ids = since(client, headers, f"Invoices?IDs={both}", cut)
    assert [d["InvoiceID"] for d in by_ids] == [world["new_Invoices"]]
    assert since(client, headers, "Invoices?Statuses=AUTHORISED", cut) == []
    assert len(since(client, headers, "Invoices?Statuses=DRAFT", cut)) == 1
    where = since(client, headers, 'Contacts?where=Name=="C0"', cut)
    assert where == []  # C0 is the old contact
