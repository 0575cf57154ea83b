"""The invoice list: filters (status, client, number/reference), htmx fragment, paging."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from xeroapp.models import InvoiceLine


@pytest.fixture
def listed(ada, records):
    bayside = records.client(ada, name="Bayside Café")
    kiwi = records.client(ada, name="Kiwi Coffee")
    records.invoice(ada, number="INV-0001", client_id=bayside, reference="Weekly beans")
    records.invoice(ada, number="INV-0002", client_id=bayside, status="sent")
    records.invoice(ada, number="INV-0003", client_id=kiwi, status="sent")
    return {"bayside": bayside, "kiwi": kiwi}


def numbers_in(body: str) -> set[str]:
    return {n for n in ("INV-0001", "INV-0002", "INV-0003") if f">{n}</a>" in body}


@pytest.mark.parametrize("query, expected", [
    ({}, {"INV-0001", "INV-0002", "INV-0003"}),
    ({"status": "sent"}, {"INV-0002", "INV-0003"}),
    ({"status": "draft"}, {"INV-0001"}),
    ({"client": "kiwi"}, {"INV-0003"}),
    ({"client": "bayside", "status": "sent"}, {"INV-0002"}),
    ({"q": "weekly"}, {"INV-0001"}),
    ({"q": "0003"}, {"INV-0003"}),
    ({"status": "bogus"}, {"INV-0001", "INV-0002", "INV-0003"}),
])
def test_filters(client, listed, query, expected):
    query = {k: str(listed.get(v, v)) for k, v in query.items()}
    assert numbers_in(client.get("/invoices/", query_string=query).get_data(as_text=True)) == expected


def test_htmx_filter_returns_the_table_and_keeps_choices(client, listed):
    page = client.get(f"/invoices/?client={listed['kiwi']}").get_data(as_text=True)
    fragment = client.get("/invoices/?status=draft&client=999999", headers={"HX-Request": "true"})

    assert f'<option value="{listed["kiwi"]}" selected>Kiwi Coffee</option>' in page
    assert 'hx-target="#invoices-table"' in page and 'hx-push-url="true"' in page
    body = fragment.get_data(as_text=True)
    assert body.startswith('<div class="table-region" id="invoices-table">')
    assert "No invoices match these filters" in body


def test_list_shows_totals_with_tax(client, ada, records):
    records.invoice(ada, number="INV-0009", lines=[
        InvoiceLine(description="Beans", quantity=D("2"), unit_price=D("12.50"), tax_type="OUTPUT2"),
        InvoiceLine(description="Exempt", quantity=D("1"), unit_price=D("10"), tax_type="NONE"),
    ])

    assert "NZD 38.75" in client.get("/invoices/").get_data(as_text=True)  # 25 + 3.75 + 10


def test_paging_keeps_the_filters(client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    for i in range(51):
        records.invoice(ada, number=f"INV-{i:04d}", client_id=client_id, status="sent")

    body = client.get("/invoices/?status=sent").get_data(as_text=True)

    assert "Page 1 of 2" in body and 'href="/invoices/?status=sent&amp;page=2"' in body
