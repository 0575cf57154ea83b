"""Xero's changes in a record's history (the Xero tab) and on Settings > Integrations >
Activity, among the pushes, newest first."""
from __future__ import annotations

import re

from tests.backsync_ui.conftest import HTMX, text_of
from xeroapp.integrations.activity import PER_PAGE

ACTIVITY = "/settings/integrations/activity"


def history_rows(html: str) -> list[str]:
    table = html.split('class="table xero-history"')[1].split("</table>")[0]
    return [text_of(row.split(">", 1)[1]) for row in table.split("<tr")[2:]]


def activity_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="((?:push|change)-\d+)"', html)


def paid_invoice(desk, records) -> int:
    invoice_id = records.invoice(desk.workspace_id, number="INV-0001")
    desk.link("invoice", invoice_id, xero_status="PAID", xero_amount_paid="25")
    desk.push("invoice", invoice_id, "2026-12-01 08:00")
    desk.change("invoice", invoice_id, "approved", "Approved in Xero", "2026-12-02 09:00")
    desk.push("invoice", invoice_id, "2026-12-02 10:00", action="update", status="failed",
              error_kind="locked", error_message="Xero no longer lets it be edited.")
    desk.change("invoice", invoice_id, "paid", "Paid in Xero: 25.00 on 3 Dec 2026",
                "2026-12-03 11:30")
    return invoice_id


def test_the_history_interleaves_xeros_changes_with_the_pushes(desk, records):
    invoice_id = paid_invoice(desk, records)
    desk.set_time_zone("Pacific/Auckland")

    rows = history_rows(desk.client.get(f"/xero/invoice/{invoice_id}/panel").get_data(as_text=True))

    assert rows == [
        "04 Dec 2026 00:30 Xero Changed in Xero Paid in Xero Paid in Xero: 25.00 on 3 Dec 2026",
        "02 Dec 2026 23:00 Automatic Update Locked in Xero",
        "02 Dec 2026 22:00 Xero Changed in Xero Approved in Xero",
        "01 Dec 2026 21:00 Automatic Send Sent",
    ]


def test_the_panel_shows_the_newest_few_and_the_rest_on_demand(desk, records):
    invoice_id = paid_invoice(desk, records)
    for day in range(10, 14):
        desk.change("invoice", invoice_id, "edited", f"Edited in Xero ({day})",
                    f"2026-12-{day} 08:00")

    panel = desk.client.get(f"/xero/invoice/{invoice_id}/panel").get_data(as_text=True)
    assert len(history_rows(panel)) == 5 and "Show all history" in text_of(panel)
    assert history_rows(panel)[0].startswith("13 Dec 2026 08:00 Xero")

    everything = desk.client.get(f"/xero/invoice/{invoice_id}/history", headers=HTMX)
    assert len(history_rows(everything.get_data(as_text=True))) == 8


def test_another_records_or_workspaces_changes_stay_out_of_the_history(desk, records):
    invoice_id = paid_invoice(desk, records)
    other_invoice = records.invoice(desk.workspace_id, number="INV-0002")
    desk.change("invoice", other_invoice, "voided", "Voided in Xero", "2026-12-04 08:00")
    other = records.workspace()
    desk.change("invoice", invoice_id, "deleted", "Deleted in Xero", "2026-12-04 09:00",
                workspace_id=other)

    panel = text_of(desk.client.get(f"/xero/invoice/{invoice_id}/panel").get_data(as_text=True))
    assert "Voided" not in panel and "Deleted" not in panel


def test_activity_lists_xeros_changes_among_the_pushes_newest_first(desk, records):
    invoice_id = paid_invoice(desk, records)

    html = desk.client.get(ACTIVITY).get_data(as_text=True)

    ids = activity_ids(html)
    assert [i.split("-")[0] for i in ids] == ["change", "push", "change", "push"]
    paid_row = text_of(html.split(f'id="{ids[0]}"')[1].split(">", 1)[1].split("</tr>")[0])
    assert paid_row.startswith("03 Dec 2026 11:30 Invoice INV-0001 — Paid in Xero Changed in Xero "
                               "Xero Paid in Xero Paid in Xero: 25.00 on 3 Dec 2026")
    assert "Retry" not in paid_row
    assert f'href="/invoices/{invoice_id}"' in html


def test_activity_filters_changes_by_record_kind_and_change(desk, records):
    paid_invoice(desk, records)
    client_id = records.client(desk.workspace_id, name="Old Café")
    archived = desk.change("client", client_id, "archived", "Archived in Xero", "2026-12-04 08:00")
    client_push = desk.push("client", client_id, "2026-11-30 08:00")

    def ids(query: str) -> list[str]:
        return activity_ids(desk.client.get(f"{ACTIVITY}?{query}").get_data(as_text=True))

    assert ids("kind=client") == [f"change-{archived}", f"push-{client_push}"]
    assert ids("status=xero&kind=client") == [f"change-{archived}"]
    assert len(ids("status=xero")) == 3
    assert [i.split("-")[0] for i in ids("status=xero-paid")] == ["change"]
    assert all(i.startswith("push-") for i in ids("status=done"))
    assert ids("status=xero-voided") == []
    empty = desk.client.get(f"{ACTIVITY}?status=xero-voided").get_data(as_text=True)
    assert "No changes in Xero match these filters" in text_of(empty)
    fragment = desk.client.get(f"{ACTIVITY}?status=xero", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and len(activity_ids(fragment)) == 3


def test_activity_pages_through_both_and_never_shows_another_workspaces(desk, records):
    invoice_id = records.invoice(desk.workspace_id)
    expected = []
    for n in range(PER_PAGE + 5):  # alternating, one minute apart
        when = f"2026-12-01 {8 + n // 60:02d}:{n % 60:02d}"
        if n % 2:
            change_id = desk.change("invoice", invoice_id, "edited", f"Edit {n}", when)
            expected.append(f"change-{change_id}")
        else:
            expected.append(f"push-{desk.push('invoice', invoice_id, when)}")
    other = records.workspace()
    other_invoice = records.invoice(other, number="INV-9999")
    desk.change("invoice", other_invoice, "paid", "Paid elsewhere", "2026-12-02 08:00",
                workspace_id=other)

    first = desk.client.get(ACTIVITY).get_data(as_text=True)
    second = desk.client.get(f"{ACTIVITY}?page=2").get_data(as_text=True)

    assert "Page 1 of 2" in text_of(first)
    assert activity_ids(first) + activity_ids(second) == expected[::-1]
    assert "Paid elsewhere" not in first + second
