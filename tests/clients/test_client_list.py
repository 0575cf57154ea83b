"""The client list (search, paging) and the client page."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def ada(auth, records) -> int:
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def test_search_matches_name_email_and_account_number(client, ada, records):
    records.client(ada, name="Bayside Café", email="accounts@bayside.example")
    records.client(ada, name="Kiwi Coffee", account_number="KIWI-7")
    records.client(ada, name="O'Brien & Sons", email="office@obrien.example")

    def names(q: str) -> set[str]:
        body = client.get("/clients/", query_string={"q": q}).get_data(as_text=True)
        return {n for n in ("Bayside Café", "Kiwi Coffee", "O&#39;Brien &amp; Sons") if n in body}

    assert names("bayside") == {"Bayside Café"}
    assert names("OFFICE@") == {"O&#39;Brien &amp; Sons"}
    assert names("kiwi-7") == {"Kiwi Coffee"}
    assert names("& S") == {"O&#39;Brien &amp; Sons"}
    assert names("%") == set()  # LIKE wildcards are matched literally


def test_htmx_search_returns_only_the_table(client, ada, records):
    records.client(ada, name="Bayside Café")

    response = client.get("/clients/?q=zzz", headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert body.startswith('<div class="table-region" id="clients-table">')
    assert "No clients match “zzz”" in body and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_search_box_is_an_active_search(client, ada):
    body = client.get("/clients/?q=bay").get_data(as_text=True)

    assert 'hx-push-url="true"' in body and 'hx-target="#clients-table"' in body
    assert "delay:300ms" in body
    assert 'name="q" value="bay"' in body


def test_paging_keeps_the_search(client, ada, records):
    for i in range(52):
        records.client(ada, name=f"Café {i:02d}")
    records.client(ada, name="Other")

    first = client.get("/clients/?q=caf").get_data(as_text=True)
    second = client.get("/clients/?q=caf&page=2").get_data(as_text=True)

    assert "Page 1 of 2" in first and "Other" not in first
    assert 'href="/clients/?q=caf&amp;page=2"' in first
    assert "Café 51" in second and "Café 00" not in second


def test_client_page_has_record_tabs_and_actions(client, ada, records):
    client_id = records.client(ada, name="Bayside Café", email="a@example.com")

    body = client.get(f"/clients/{client_id}").get_data(as_text=True)
    xero_tab = client.get(f"/clients/{client_id}?tab=xero").get_data(as_text=True)

    assert 'role="tablist"' in body
    assert f'href="/clients/{client_id}?tab=xero"' in body
    assert 'id="panel-details" role="tabpanel" aria-labelledby="tab-details">' in body
    assert 'id="panel-xero" role="tabpanel" aria-labelledby="tab-xero" hidden>' in body
    assert 'id="panel-xero" role="tabpanel" aria-labelledby="tab-xero">' in xero_tab
    assert f'href="/clients/{client_id}/edit"' in body
    assert f'href="/invoices/new?client_id={client_id}"' in body


def test_client_page_lists_its_recent_invoices(client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    other = records.client(ada, name="Kiwi Coffee")
    for i in range(6):
        records.invoice(ada, number=f"INV-{i:04d}", client_id=client_id)
    records.invoice(ada, number="KIWI-1", client_id=other)

    body = client.get(f"/clients/{client_id}").get_data(as_text=True)
    empty = client.get(f"/clients/{other}").get_data(as_text=True)

    assert f'href="/invoices/?client={client_id}">See all 6</a>' in body
    assert len(re.findall(r'href="/invoices/\d+"', body)) == 5  # the five most recent
    assert "KIWI-1" not in body and "KIWI-1" in empty
    assert "See all" not in empty  # its one invoice is already shown
