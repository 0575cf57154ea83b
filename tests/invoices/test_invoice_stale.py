"""A stale tab cannot delete saved work: an invoice form saved after the invoice changed
elsewhere is refused, with what was typed kept on the page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from tests.app.browser_forms import form_fields
from tests.invoices.conftest import input_value, load_invoice
from xeroapp.models import InvoiceLine

REFUSED = "<strong>Not saved.</strong> This invoice was changed elsewhere after you opened"


@pytest.fixture
def invoice_id(records, ada) -> int:
    return records.invoice(ada, number="INV-0001", due_date=date(2026, 11, 15), lines=[
        InvoiceLine(position=0, description="Beans", quantity=D("2"), unit_price=D("12.50")),
    ])


def open_tab(client, invoice_id: int) -> dict[str, str]:
    """The edit page loaded in a tab: what its form would post."""
    page = client.get(f"/invoices/{invoice_id}/edit").get_data(as_text=True)
    return form_fields(page, f"/invoices/{invoice_id}/edit")


def add_line(fields: dict[str, str], description: str, quantity: str, price: str) -> None:
    row = sum(1 for name in fields if name.endswith("-description"))
    fields.update({f"lines-{row}-line_id": "", f"lines-{row}-product_id": "",
                   f"lines-{row}-description": description, f"lines-{row}-quantity": quantity,
                   f"lines-{row}-unit_price": price, f"lines-{row}-discount_rate": "",
                   f"lines-{row}-account_code": "", f"lines-{row}-tax_type": ""})


def test_a_tab_opened_earlier_cannot_remove_the_line_another_tab_saved(app, client, invoice_id):
    tab2 = open_tab(client, invoice_id)  # opened first, left open
    tab1 = open_tab(client, invoice_id)
    add_line(tab1, "Cups", "100", "0.25")
    assert client.post(f"/invoices/{invoice_id}/edit", data=tab1).status_code == 302

    tab2["reference"] = "Typed in tab 2"
    tab2["lines-0-quantity"] = "3"
    response = client.post(f"/invoices/{invoice_id}/edit", data=tab2)

    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert REFUSED in body
    assert "Changed there: lines and subtotal." in body
    assert f'href="/invoices/{invoice_id}/edit">reload the latest version</a>' in body
    # tab 2's typed values are on the page, as typed
    assert input_value(body, "reference") == "Typed in tab 2"
    assert input_value(body, "lines-0-quantity") == "3"
    assert input_value(body, "lines-1-description") is None  # tab 2 never had tab 1's line
    # and tab 1's work is what the database keeps
    saved = load_invoice(app, id=invoice_id)
    assert [(line.description, line.quantity) for line in saved.lines] == [
        ("Beans", D("2")), ("Cups", D("100"))]
    assert saved.reference is None


def test_pressing_save_again_is_refused_again_until_the_latest_is_loaded(app, client, invoice_id):
    stale_tab = open_tab(client, invoice_id)
    fresh = open_tab(client, invoice_id)
    fresh["reference"] = "From the other tab"
    client.post(f"/invoices/{invoice_id}/edit", data=fresh)
    stale_tab["reference"] = "Mine"
    refused = client.post(f"/invoices/{invoice_id}/edit", data=stale_tab).get_data(as_text=True)

    again = client.post(f"/invoices/{invoice_id}/edit", data=form_fields(
        refused, f"/invoices/{invoice_id}/edit"))
    assert again.status_code == 409
    assert "Changed there: reference." in again.get_data(as_text=True)

    reloaded = open_tab(client, invoice_id)  # the notice's "reload the latest version"
    assert reloaded["reference"] == "From the other tab"
    reloaded["reference"] = "Mine"
    assert client.post(f"/invoices/{invoice_id}/edit", data=reloaded).status_code == 302
    assert load_invoice(app, id=invoice_id).reference == "Mine"


def test_one_tab_edits_and_saves_as_before(app, client, invoice_id):
    tab = open_tab(client, invoice_id)
    tab["reference"] = "One tab"
    tab["lines-0-description"] = "Beans, dark roast"
    add_line(tab, "Cups", "10", "0.25")

    response = client.post(f"/invoices/{invoice_id}/edit", data=tab)

    saved = load_invoice(app, id=invoice_id)
    assert response.status_code == 302
    assert [line.description for line in saved.lines] == ["Beans, dark roast", "Cups"]
    assert (saved.reference, saved.version) == ("One tab", 2)  # one save, one new version


def test_a_failed_save_keeps_the_loaded_version_so_the_corrected_save_goes_through(
        app, client, invoice_id):
    tab = open_tab(client, invoice_id)
    tab["due_date"] = "2020-01-01"  # before the issue date
    page = client.post(f"/invoices/{invoice_id}/edit", data=tab).get_data(as_text=True)
    assert "The due date cannot be before the issue date." in page

    corrected = form_fields(page, f"/invoices/{invoice_id}/edit")
    assert corrected["loaded_version"] == tab["loaded_version"]
    corrected["due_date"] = "2026-12-01"
    assert client.post(f"/invoices/{invoice_id}/edit", data=corrected).status_code == 302


def test_the_line_and_totals_requests_neither_save_nor_refresh_the_version(
        app, client, invoice_id):
    """Add line, remove line and live totals only render: the version the tab loaded stays
    the one it saves against, and nothing reaches the database before Save."""
    tab = open_tab(client, invoice_id)
    before = load_invoice(app, id=invoice_id).version
    htmx = {"HX-Request": "true"}
    added = client.post("/invoices/lines", data={**tab, "op": "add"}, headers=htmx)
    assert added.status_code == 200
    assert client.post("/invoices/totals", data=tab, headers=htmx).status_code == 200
    assert load_invoice(app, id=invoice_id).version == before

    other = open_tab(client, invoice_id)
    other["reference"] = "Saved elsewhere"
    client.post(f"/invoices/{invoice_id}/edit", data=other)
    lines = client.post("/invoices/lines", data={**tab, "op": "add"}, headers=htmx)
    assert 'name="loaded_version"' not in lines.get_data(as_text=True)  # the tab keeps its own
    assert client.post(f"/invoices/{invoice_id}/edit", data=tab).status_code == 409


def test_an_htmx_save_gets_the_notice_alone(client, invoice_id):
    stale_tab = open_tab(client, invoice_id)
    fresh = open_tab(client, invoice_id)
    fresh["reference"] = "Newer"
    client.post(f"/invoices/{invoice_id}/edit", data=fresh)

    response = client.post(f"/invoices/{invoice_id}/edit", data=stale_tab,
                           headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert REFUSED in body and "<form" not in body


@pytest.mark.parametrize("token", ["9" * 4301, "1|reference:zz", "abc", "1|" + "a:00000000," * 300,
                                   "²|"])
def test_a_loaded_version_that_is_not_ours_saves_nothing(app, client, invoice_id, token):
    tab = open_tab(client, invoice_id)
    tab["reference"] = "Hostile"
    tab["loaded_version"] = token

    response = client.post(f"/invoices/{invoice_id}/edit", data=tab)

    assert response.status_code == 409
    assert input_value(response.get_data(as_text=True), "reference") == "Hostile"
    assert load_invoice(app, id=invoice_id).reference is None


def test_a_loaded_version_holding_a_nul_is_refused_before_anything_is_read(app, client,
                                                                          invoice_id):
    """No browser sends NUL in a field: the request is refused whole (400), as for any field."""
    tab = open_tab(client, invoice_id)
    tab["reference"] = "Hostile"
    tab["loaded_version"] = "1\x00|"

    assert client.post(f"/invoices/{invoice_id}/edit", data=tab).status_code == 400
    assert load_invoice(app, id=invoice_id).reference is None


def test_marking_as_sent_does_not_make_an_open_form_stale(app, client, invoice_id):
    """Draft/sent is not on the form: a form opened before it still saves."""
    tab = open_tab(client, invoice_id)
    client.post(f"/invoices/{invoice_id}/status", data={"status": "sent"})
    tab["reference"] = "After marking"

    assert client.post(f"/invoices/{invoice_id}/edit", data=tab).status_code == 302
    saved = load_invoice(app, id=invoice_id)
    assert (saved.status, saved.reference) == ("sent", "After marking")
