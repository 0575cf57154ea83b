"""The invoices list's Xero column and filter: done in SQL on the current organisation's
links, with paging and the other filters kept; no other workspace's link ever counts."""
from __future__ import annotations

import re
from datetime import date

from tests.backsync_ui.conftest import HTMX, OLD_TENANT, text_of
from xeroapp.listing import PER_PAGE

PAST, FUTURE = date(2026, 1, 15), date(2099, 1, 15)


def numbers(html: str) -> list[str]:
    """The invoice numbers listed, in order."""
    return re.findall(r'href="/invoices/\d+">(?:<[^>]+>)*([^<]+)<', html)


def listed(desk, query: str = "", **headers) -> str:
    response = desk.client.get(f"/invoices/?{query}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def seed(desk, records) -> dict[str, int]:
    ws = desk.workspace_id
    ids = {
        "INV-PAID": records.invoice(ws, number="INV-PAID", due_date=PAST),
        "INV-OWED": records.invoice(ws, number="INV-OWED", due_date=FUTURE),
        "INV-LATE": records.invoice(ws, number="INV-LATE", due_date=PAST),
        "INV-PART": records.invoice(ws, number="INV-PART", due_date=FUTURE),
        "INV-VOID": records.invoice(ws, number="INV-VOID", due_date=PAST),
        "INV-UNREAD": records.invoice(ws, number="INV-UNREAD", due_date=PAST),
        "INV-LOCAL": records.invoice(ws, number="INV-LOCAL", due_date=PAST),
        "INV-OLDORG": records.invoice(ws, number="INV-OLDORG", due_date=PAST),
    }
    desk.link("invoice", ids["INV-PAID"], xero_status="PAID", xero_amount_paid="25")
    desk.link("invoice", ids["INV-OWED"], xero_status="AUTHORISED", xero_amount_paid="0")
    desk.link("invoice", ids["INV-LATE"], xero_status="AUTHORISED")
    desk.link("invoice", ids["INV-PART"], xero_status="AUTHORISED", xero_amount_paid="5")
    desk.link("invoice", ids["INV-VOID"], xero_status="VOIDED")
    desk.link("invoice", ids["INV-UNREAD"])
    # Paid in an organisation this workspace was connected to before: not what Xero says now.
    desk.link("invoice", ids["INV-OLDORG"], tenant_id=OLD_TENANT, xero_status="PAID")
    return ids


def test_the_xero_column_says_each_invoices_status(desk, records):
    seed(desk, records)
    html = listed(desk)
    rows = {text_of(row).split(" ")[0]: text_of(row) for row in html.split("<tr>")[2:]}
    assert "Draft Paid NZD" in rows["INV-PAID"]
    assert "Draft Awaiting payment NZD" in rows["INV-OWED"]
    assert "Draft Awaiting payment Overdue NZD" in rows["INV-LATE"]
    assert "Draft Part paid NZD" in rows["INV-PART"]
    assert "Draft Voided NZD" in rows["INV-VOID"]
    for unknown in ("INV-UNREAD", "INV-LOCAL", "INV-OLDORG"):
        assert "Draft — NZD" in rows[unknown]


def test_the_filter_lists_only_matching_invoices(desk, records):
    seed(desk, records)
    assert numbers(listed(desk, "xero=paid")) == ["INV-PAID"]
    assert sorted(numbers(listed(desk, "xero=awaiting_payment"))) == [
        "INV-LATE", "INV-OWED", "INV-PART"]
    assert numbers(listed(desk, "xero=part_paid")) == ["INV-PART"]
    assert numbers(listed(desk, "xero=overdue")) == ["INV-LATE"]
    assert numbers(listed(desk, "xero=voided")) == ["INV-VOID"]
    assert numbers(listed(desk, "xero=deleted")) == []
    assert sorted(numbers(listed(desk, "xero=not_in_xero"))) == ["INV-LOCAL", "INV-OLDORG"]
    assert len(numbers(listed(desk, "xero=bogus"))) == 8  # unknown: the list stays whole


def test_the_filter_combines_with_the_others_and_the_htmx_table(desk, records):
    seed(desk, records)
    assert numbers(listed(desk, "xero=awaiting_payment&q=PART")) == ["INV-PART"]
    fragment = listed(desk, "xero=paid", **HTMX)
    assert "<html" not in fragment and fragment.lstrip().startswith("<div class=\"table-region\"")
    assert numbers(fragment) == ["INV-PAID"]
    page = listed(desk, "xero=overdue")
    assert '<option value="overdue" selected>Overdue</option>' in page
    empty = listed(desk, "xero=paid&q=OWED")
    assert "No invoices match these filters" in text_of(empty)


def test_paging_keeps_the_xero_filter(desk, records):
    ws = desk.workspace_id
    paid = []
    for n in range(PER_PAGE + 2):
        invoice_id = records.invoice(ws, number=f"P-{n:03d}", client_id=None)
        desk.link("invoice", invoice_id, xero_status="PAID", xero_amount_paid="25")
        paid.append(f"P-{n:03d}")
    records.invoice(ws, number="X-UNPAID")

    first = listed(desk, "xero=paid")
    assert "Page 1 of 2" in text_of(first) and 'href="/invoices/?xero=paid&amp;page=2"' in first
    second = listed(desk, "xero=paid&page=2")
    assert sorted(numbers(first) + numbers(second)) == paid


def test_another_workspaces_links_never_leak(desk, records, app):
    ours = records.invoice(desk.workspace_id, number="INV-OURS")
    other = records.workspace()
    theirs = records.invoice(other, number="INV-THEIRS")
    # The other workspace, connected to the same organisation, says "paid" of its own
    # invoice and of a record id that is ours.
    desk.link("invoice", theirs, workspace_id=other, xero_status="PAID")
    desk.link("invoice", ours, workspace_id=other, xero_status="PAID")

    assert numbers(listed(desk, "xero=paid")) == []
    assert numbers(listed(desk, "xero=not_in_xero")) == ["INV-OURS"]
    assert "Draft — NZD" in text_of(listed(desk))
    assert "In Xero:" not in text_of(desk.client.get(f"/invoices/{ours}").get_data(as_text=True))


def test_without_a_connection_no_status_is_known(app, client, auth, records):
    auth.signup()
    ws = records.workspace_id_of("ada@example.com")
    records.invoice(ws, number="INV-LONE")
    assert numbers(client.get("/invoices/?xero=paid").get_data(as_text=True)) == []
    assert numbers(client.get("/invoices/?xero=not_in_xero").get_data(as_text=True)) == ["INV-LONE"]
