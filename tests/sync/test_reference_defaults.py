"""Accounts and tax rates read from the organisation, cached, and chosen as invoice defaults."""
from __future__ import annotations

from push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection
from xeroapp.xero import reference


def api_calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def connection(app) -> XeroConnection:
    connection = db.session.scalar(db.select(XeroConnection))
    return connection


def test_sales_choices_come_from_the_organisation_and_are_cached(desk, app):
    with app.app_context():
        accounts = reference.sales_accounts(connection(app))
        rates = reference.sales_tax_rates(connection(app))
        calls = api_calls(desk)
        assert reference.sales_accounts(connection(app)) == accounts  # from the cache
        assert api_calls(desk) == calls
        reference.forget(connection(app))
        reference.sales_accounts(connection(app))
        assert api_calls(desk) > calls
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
    assert refused.status_code == 200 and "Not a valid choice" in text_of(refused.get_data(as_text=True))


def test_integrations_page_loads_the_defaults_section(desk):
    page = desk.client.get("/settings/integrations/").get_data(as_text=True)
    assert 'hx-get="/settings/integrations/defaults"' in page


def test_validation_error_blaming_a_code_refreshes_the_cached_lists(desk, records, app):
    from xeroapp.queue import get_redis

    with app.app_context():
        reference.sales_accounts(connection(app))
        key = f"xero:reference:{connection(app).id}:{connection(app).tenant_id}:Accounts"
        assert get_redis().exists(key)
        connection(app).sales_account_code = "999"
        db.session.commit()
    desk.send("invoice", records.invoice(desk.workspace_id))
    with app.app_context():
        assert not get_redis().exists(key)
