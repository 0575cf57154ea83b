"""Record pages say what Xero now says: an invoice's status, paid and due, its payments; a
purchase order's status; a client or supplier archived or merged in Xero."""
from __future__ import annotations

from datetime import date

from tests.backsync_ui.conftest import HTMX, OLD_TENANT, text_of

PAYMENTS = [
    {"PaymentID": "a1", "Date": "2026-12-03", "Amount": "10.00", "Reference": "Deposit"},
    {"PaymentID": "a2", "Date": "2026-12-04", "Amount": "15.00", "Reference": ""},
]


def test_a_paid_invoice_shows_status_amounts_and_payments(desk, records):
    invoice_id = records.invoice(desk.workspace_id, number="INV-0001")
    desk.link("invoice", invoice_id, xero_status="PAID", xero_amount_paid="25.00",
              xero_amount_due="0.00", xero_payments=PAYMENTS)

    response = desk.client.get(f"/invoices/{invoice_id}")

    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "Invoice INV-0001 Draft In Xero: Paid" in page
    assert "Amount paid NZD 25.00 Amount due NZD 0.00" in page
    assert ("Payments in Xero Date Reference Amount 03 Dec 2026 Deposit NZD 10.00 "
            "04 Dec 2026 — NZD 15.00") in page


def test_the_htmx_details_fragment_carries_the_payments_too(desk, records):
    invoice_id = records.invoice(desk.workspace_id)
    desk.link("invoice", invoice_id, xero_status="PAID", xero_amount_paid="25.00",
              xero_amount_due="0.00", xero_payments=PAYMENTS)

    fragment = desk.client.get(f"/invoices/{invoice_id}", headers=HTMX).get_data(as_text=True)

    assert "<html" not in fragment and 'id="invoice-in-xero"' in fragment
    assert "Deposit" in text_of(fragment)


def test_a_part_paid_overdue_invoice(desk, records):
    invoice_id = records.invoice(desk.workspace_id, due_date=date(2026, 1, 15))
    desk.link("invoice", invoice_id, xero_status="AUTHORISED", xero_amount_paid="10.00",
              xero_amount_due="15.00", xero_payments=PAYMENTS[:1])

    page = text_of(desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True))

    assert "In Xero: Part paid Overdue" in page
    assert "Amount paid NZD 10.00 Amount due NZD 15.00" in page


def test_overdue_follows_the_workspace_clock(desk, records):
    """Due "today" in Pago Pago (UTC-11) is already past in Kiritimati (UTC+14)."""
    from xeroapp.panel.xero_state import workspace_today

    invoice_id = records.invoice(desk.workspace_id,
                                 due_date=workspace_today("Pacific/Pago_Pago"))
    desk.link("invoice", invoice_id, xero_status="AUTHORISED", xero_amount_due="25.00")

    desk.set_time_zone("Pacific/Pago_Pago")
    page = desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "In Xero: Awaiting payment" in text_of(page) and "Overdue" not in text_of(page)
    desk.set_time_zone("Pacific/Kiritimati")
    assert "In Xero: Awaiting payment Overdue" in text_of(
        desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True))


def test_nothing_is_said_before_xero_was_read_or_of_another_organisation(desk, records):
    unread = records.invoice(desk.workspace_id, number="INV-0001")
    desk.link("invoice", unread)  # pushed, not read back yet
    elsewhere = records.invoice(desk.workspace_id, number="INV-0002")
    desk.link("invoice", elsewhere, tenant_id=OLD_TENANT, xero_status="PAID",
              xero_amount_paid="25.00", xero_payments=PAYMENTS)

    for invoice_id in (unread, elsewhere):
        html = desk.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
        assert 'id="invoice-in-xero"' not in html and "In Xero:" not in text_of(html)


def test_purchase_order_page_and_list_show_xeros_status(desk, records):
    billed = records.purchase_order(desk.workspace_id, number="PO-0001")
    desk.link("purchase_order", billed, xero_status="BILLED")
    unread = records.purchase_order(desk.workspace_id, number="PO-0002")
    desk.link("purchase_order", unread)

    page = text_of(desk.client.get(f"/purchase-orders/{billed}").get_data(as_text=True))
    assert "Purchase order PO-0001 Draft In Xero: Billed" in page
    listing = desk.client.get("/purchase-orders/").get_data(as_text=True)
    rows = {text_of(row).split(" ")[0]: text_of(row) for row in listing.split("<tr>")[2:]}
    assert " Draft Billed Off " in rows["PO-0001"]
    assert " Draft — Off " in rows["PO-0002"]


def test_client_and_supplier_pages_say_archived_or_merged(desk, records):
    archived = records.client(desk.workspace_id, name="Old Café")
    desk.link("client", archived, xero_status="ARCHIVED")
    merged = records.supplier(desk.workspace_id, name="Paper Twins")
    desk.link("supplier", merged, xero_status="ARCHIVED",
              xero_merged_into="99999999-0000-4000-8000-000000000000")
    active = records.client(desk.workspace_id, name="Still Here")
    desk.link("client", active, xero_status="ACTIVE")

    client_page = desk.client.get(f"/clients/{archived}").get_data(as_text=True)
    assert "Archived in Xero." in text_of(client_page)
    supplier_page = desk.client.get(f"/suppliers/{merged}").get_data(as_text=True)
    assert "Merged in Xero into another contact." in text_of(supplier_page)
    assert "redirecturl=/Contacts/View/99999999-0000-4000-8000-000000000000" in supplier_page
    active_page = desk.client.get(f"/clients/{active}").get_data(as_text=True)
    assert "xero-contact-notice" not in active_page and "Archived" not in text_of(active_page)


def test_a_clients_recent_invoices_say_their_xero_status(desk, records):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    paid = records.invoice(desk.workspace_id, number="INV-0001", client_id=client_id)
    desk.link("invoice", paid, xero_status="PAID")
    late = records.invoice(desk.workspace_id, number="INV-0002", client_id=client_id,
                           due_date=date(2026, 1, 15))
    desk.link("invoice", late, xero_status="AUTHORISED", xero_amount_paid="5")

    page = text_of(desk.client.get(f"/clients/{client_id}").get_data(as_text=True))

    assert "INV-0002 01 Nov 2026 15 Jan 2026 Draft Part paid Overdue" in page
    assert "INV-0001 01 Nov 2026 Draft Paid" in page
