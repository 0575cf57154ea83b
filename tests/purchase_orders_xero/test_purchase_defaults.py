"""Settings > Purchase orders: default purchase account and tax rate, chosen from the
organisation's own lists, used on order lines that name none."""
from __future__ import annotations

from tests.purchase_orders_xero.po_support import add_item, held_orders, order_form, save_order
from tests.sync.push_support import HTMX, text_of
from tests.app.browser_forms import form_fields
from xeroapp.extensions import db
from xeroapp.models import XeroConnection


def test_choices_are_the_organisations_expense_accounts_and_purchase_rates(desk):
    html = desk.client.get("/settings/purchase-orders/defaults", headers=HTMX).get_data(as_text=True)
    assert 'value="429"' in html and 'value="INPUT2"' in html
    assert 'value="200"' not in html and 'value="OUTPUT2"' not in html  # sales ones are not offered
    assert "<html" not in html  # a fragment for the settings page


def test_saved_defaults_fill_lines_that_name_none(desk, shop, app):
    answer = desk.client.post("/settings/purchase-orders/defaults",
                              data={"purchase_account_code": "429", "purchase_tax_type": "INPUT2"})
    assert answer.status_code == 302
    with app.app_context():
        connection = db.session.scalar(db.select(XeroConnection))
        assert (connection.purchase_account_code, connection.purchase_tax_type) == ("429", "INPUT2")
    add_item(desk, "SLEEVE")

    save_order(desk, order_form(shop, [("SLEEVE", "3", "18")], **{"lines-0-tax_type": ""}))
    desk.drain()

    (line,) = held_orders(desk)[0]["LineItems"]
    assert (line["AccountCode"], line["TaxType"]) == ("429", "INPUT2")


def test_a_code_not_in_the_organisation_is_refused(desk):
    answer = desk.client.post("/settings/purchase-orders/defaults",
                              data={"purchase_account_code": "200", "purchase_tax_type": ""})
    assert answer.status_code == 422 and "Not a valid choice" in text_of(answer.get_data(as_text=True))


def test_without_xero_the_section_says_to_connect(client, auth):
    auth.signup()
    html = client.get("/settings/purchase-orders/defaults", headers=HTMX).get_data(as_text=True)
    assert "Connect Xero to choose the defaults" in html
    page = client.get("/settings/purchase-orders").get_data(as_text=True)
    assert 'hx-get="/settings/purchase-orders/defaults"' in page


def test_defaults_chosen_in_a_tab_opened_before_another_choice_are_refused(desk, app):
    """The defaults live on the connection, which has no version (token refreshes write it
    all the time): the form is refused only when a default it shows was changed since."""
    action = "/settings/purchase-orders/defaults"
    stale_tab = form_fields(desk.client.get(action).get_data(as_text=True), action)
    other_tab = form_fields(desk.client.get(action).get_data(as_text=True), action)
    desk.client.post(action, data={**other_tab, "purchase_account_code": "429"})

    answer = desk.client.post(action, data={**stale_tab, "purchase_tax_type": "INPUT2"})

    body = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Changed there: default purchase account." in text_of(body)
    assert form_fields(body, action)["purchase_tax_type"] == "INPUT2"  # as chosen, kept
    with app.app_context():
        connection = db.session.scalar(db.select(XeroConnection))
        assert (connection.purchase_account_code, connection.purchase_tax_type) == ("429", None)
