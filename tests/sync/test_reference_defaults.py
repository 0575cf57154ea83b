"""Accounts and tax rates read from the organisation, kept here, and chosen as invoice defaults."""
from __future__ import annotations

from tests.sync.push_support import HTMX, text_of
from tests.xero.xero_support import DEMO_TENANT_ID
from xeroapp.extensions import db
from xeroapp.models import XeroOrganisation
from xeroapp.models.xero import XeroConnection
from xeroapp.xero import reference


def api_calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def connection(app) -> XeroConnection:
    connection = db.session.scalar(db.select(XeroConnection))
    return connection


def test_sales_choices_come_from_the_organisation_without_calling_xero(desk, app):
    calls = api_calls(desk)
    with app.app_context():
        accounts = reference.sales_accounts(connection(app))
        rates = reference.sales_tax_rates(connection(app))
    desk.client.get("/settings/integrations/defaults", headers=HTMX)
    assert api_calls(desk) == calls  # kept here: no page calls Xero for them
    assert {a.code for a in accounts} >= {"200", "260"} and "300" not in {a.code for a in accounts}
    assert "OUTPUT2" in {r.code for r in rates} and "INPUT2" not in {r.code for r in rates}


def test_defaults_form_offers_and_saves_the_organisations_codes(desk, app):
    form = desk.client.get("/settings/integrations/defaults", headers=HTMX).get_data(as_text=True)
    assert 'value="200"' in form and "15% GST on Income (15%)" in form

    answer = desk.client.post("/settings/integrations/defaults",
                              data={"sales_account_code": "260", "sales_tax_type": "OUTPUT2"})
    assert answer.status_code == 302
    with app.app_context():
        saved = connection(app)
        assert (saved.sales_account_code, saved.sales_tax_type) == ("260", "OUTPUT2")

    refused = desk.client.post("/settings/integrations/defaults",
                               data={"sales_account_code": "300", "sales_tax_type": "OUTPUT2"})
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused.get_data(as_text=True))


def test_integrations_page_loads_the_defaults_section(desk):
    page = desk.client.get("/settings/integrations/").get_data(as_text=True)
    assert 'hx-get="/settings/integrations/defaults"' in page


def test_validation_error_blaming_a_code_reads_the_lists_again(desk, records, app):
    """Someone changed the organisation in Xero (here: enabled USD); a push Xero refuses for
    one of our codes queues a fresh read, and the worker brings the lists up to date."""
    desk.control(f"orgs/{DEMO_TENANT_ID}/currencies", {"currencies": ["USD"]})
    with app.app_context():
        connection(app).sales_account_code = "999"  # not an account of the organisation
        db.session.commit()
    desk.send("invoice", records.invoice(desk.workspace_id))
    with app.app_context():
        org = XeroOrganisation.of(desk.workspace_id, DEMO_TENANT_ID)
        assert org.currencies == ["NZD", "USD"]


def test_refresh_from_xero_reads_the_lists_on_the_queue(desk, app):
    desk.control(f"orgs/{DEMO_TENANT_ID}/currencies", {"currencies": ["EUR"]})
    calls = api_calls(desk)
    answer = desk.client.post("/settings/integrations/refresh-lists",
                              data={"next": "/settings/purchase-orders"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/settings/purchase-orders")
    assert api_calls(desk) == calls  # the click itself calls nothing
    desk.drain()
    assert api_calls(desk) == calls + 4  # Organisation, Currencies, TaxRates, Accounts
    section = desk.client.get("/settings/integrations/defaults", headers=HTMX).get_data(as_text=True)
    assert "NZD (base), EUR" in text_of(section)


def test_a_connection_without_its_lists_has_them_read_on_the_queue(desk, app):
    with app.app_context():
        db.session.execute(db.delete(XeroOrganisation))
        db.session.commit()
    waiting = desk.client.get("/settings/integrations/defaults", headers=HTMX).get_data(as_text=True)
    assert "Reading the organisation's accounts and tax rates from Xero" in text_of(waiting)
    desk.drain()
    ready = desk.client.get("/settings/integrations/defaults", headers=HTMX).get_data(as_text=True)
    assert 'value="OUTPUT2"' in ready
