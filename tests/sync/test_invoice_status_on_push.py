"""Settings > Invoices: the status a new invoice arrives in, in Xero, for a single push and a
bulk one; an update never changes the status Xero holds; the form refuses other values."""
from __future__ import annotations

import re

import pytest

from tests.sync.push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models import Invoice, Workspace


def choose(desk, status: str):
    return desk.client.post("/settings/invoices", data={"invoice_xero_status": status})


@pytest.mark.parametrize("status", ["SUBMITTED", "AUTHORISED"])
def test_single_push_creates_the_invoice_in_the_chosen_status(desk, records, status):
    assert choose(desk, status).status_code == 302
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")

    desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert held["Status"] == status


def test_bulk_push_creates_every_invoice_in_the_chosen_status(desk, records):
    assert choose(desk, "AUTHORISED").status_code == 302
    for n in (1, 2):
        records.invoice(desk.workspace_id, number=f"INV-{n:04}")

    assert desk.client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200
    desk.drain()

    assert sorted(i["Status"] for i in desk.held("invoices")) == ["AUTHORISED", "AUTHORISED"]


def test_an_update_leaves_the_status_xero_holds(desk, records, app):
    assert choose(desk, "SUBMITTED").status_code == 302
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")
    desk.send("invoice", invoice_id)
    assert choose(desk, "DRAFT").status_code == 302  # Xero would take SUBMITTED -> DRAFT
    with app.app_context():
        db.session.get(Invoice, invoice_id).reference = "edited"
        db.session.commit()

    desk.send("invoice", invoice_id)

    (held,) = desk.held("invoices")
    assert (held["Reference"], held["Status"]) == ("edited", "SUBMITTED")


def test_the_panel_says_what_an_invoice_arrives_as(desk, records):
    assert choose(desk, "AUTHORISED").status_code == 302
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")

    assert "Arrives in Xero as Awaiting payment" in text_of(desk.panel("invoice", invoice_id))
    panel = text_of(desk.send("invoice", invoice_id))
    assert "Sent as Awaiting payment" in panel


@pytest.mark.parametrize("value", ["PAID", "", "draft", "AUTHORISED<script>"])
def test_the_setting_refuses_other_values(desk, app, value):
    answer = choose(desk, value)

    assert answer.status_code == 422
    assert "Choose" in text_of(answer.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Workspace, desk.workspace_id).invoice_xero_status == "DRAFT"


def test_the_settings_pages_show_the_choice(desk):
    assert choose(desk, "SUBMITTED").status_code == 302
    page = text_of(desk.client.get("/settings/").get_data(as_text=True))
    assert "Status of invoices created in Xero Awaiting approval" in page
    form = desk.client.get("/settings/invoices").get_data(as_text=True)
    assert re.findall(r'<input checked[^>]*value="([A-Z]+)"', form) == ["SUBMITTED"]
