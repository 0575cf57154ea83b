"""The connected organisation's own country, currency and tax rates (NZ, AU and UK demo
organisations in the sandbox): what connecting brings, what pages offer, what reaches Xero,
and what is stopped before any call."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa

from tests.xero.xero_support import DEMO_TENANT_ID, SECOND_TENANT_ID, totals
from xeroapp.extensions import db
from xeroapp.models import Invoice, InvoiceLine, PurchaseOrder, PurchaseOrderLine, Workspace
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.xero import PushJob
from xerosandbox.orgs import UK_TENANT_ID

HTMX = {"HX-Request": "true"}
UK_ORG, AU_ORG, NZ_ORG = ("Thames Trading Ltd (Sandbox)", "Harbour Supplies Ltd (Sandbox)",
                          "Demo Company (Sandbox)")

REGIONS = [
    pytest.param(DEMO_TENANT_ID, "NZD", "OUTPUT2", "INPUT2", "15% GST on Income", 15, "OUTPUT", id="NZ"),
    pytest.param(SECOND_TENANT_ID, "AUD", "OUTPUT", "INPUT", "GST on Income", 10, "OUTPUT2", id="AU"),
    pytest.param(UK_TENANT_ID, "GBP", "OUTPUT2", "INPUT2", "20% (VAT on Income)", 20, "OUTPUT", id="UK"),
]


def held(live_sandbox, tenant_id: str, kind: str) -> list[dict]:
    plural = {"invoices": "Invoices", "purchaseorders": "PurchaseOrders", "contacts": "Contacts"}[kind]
    return requests.get(f"{live_sandbox.url}/_sandbox/objects/{tenant_id}/{kind}",
                        timeout=10).json()[plural]


def workspace_of(app) -> Workspace:
    with app.app_context():
        workspace = db.session.scalar(sa.select(Workspace))
        db.session.expunge(workspace)
        return workspace


def text_of(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def options(html: str, name: str) -> list[str]:
    """The option values of the select called ``name`` (the first one on the page)."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, f"no select {name}"
    return re.findall(r'value="([^"]*)"', select.group(1))


def selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option[^>]*\bselected\b[^>]*>', select.group(1)) if select else None
    value = re.search(r'value="([^"]*)"', chosen.group(0)) if chosen else None
    return value.group(1) if value else None


def invoice_form(client_id: int, currency: str, tax_type: str, **fields: str) -> dict[str, str]:
    data = {"number": "INV-0100", "client_id": str(client_id), "issue_date": "2026-11-02",
            "due_date": "2026-11-16", "reference": "", "currency": currency,
            "amount_type": "Exclusive", "lines-0-line_id": "", "lines-0-product_id": "",
            "lines-0-description": "Consulting", "lines-0-quantity": "2",
            "lines-0-unit_price": "50", "lines-0-discount_rate": "", "lines-0-account_code": "",
            "lines-0-tax_type": tax_type}
    data.update(fields)
    return data


def order_form(supplier_id: int, tax_type: str) -> dict[str, str]:
    return {"supplier_id": str(supplier_id), "number": "PO-0100", "order_date": "2026-11-20",
            "reference": "Restock", "status": "draft", "amount_type": "Exclusive",
            "save_to_xero": "y", "lines-0-line_id": "", "lines-0-product_id": "",
            "lines-0-description": "Paper", "lines-0-quantity": "4", "lines-0-unit_cost": "25",
            "lines-0-tax_type": tax_type}


def saved_id(app, model, number: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(number=number))


def last_push(app, kind: str, record_id: int) -> PushJob:
    with app.app_context():
        job = db.session.scalar(sa.select(PushJob).filter_by(record_kind=kind, record_id=record_id)
                                .order_by(PushJob.id.desc()))
        db.session.expunge(job)
        return job


# -- connecting each region ---------------------------------------------------------------------

@pytest.mark.parametrize("tenant, currency, sales, purchases, sales_name, percent, foreign", REGIONS)
def test_each_region_connects_with_its_currency_and_rates_and_its_documents_reach_xero(
        connector, client, live_app, live_sandbox, records, worker,
        tenant, currency, sales, purchases, sales_name, percent, foreign):
    assert connector.connect(tenants=[tenant]).status_code == 302
    workspace = workspace_of(live_app)
    assert workspace.default_currency == currency  # the first organisation's base currency
    with live_app.app_context():
        org = XeroOrganisation.of(workspace.id, tenant)
        assert (org.base_currency, org.currencies) == (currency, [currency])

    # The pages offer the organisation's own rates, on the side each applies to.
    new_invoice = client.get("/invoices/new").get_data(as_text=True)
    sales_codes = options(new_invoice, "lines-0-tax_type")
    assert sales in sales_codes and purchases not in sales_codes and foreign not in sales_codes
    assert f"{sales_name} ({percent}%)" in new_invoice
    assert selected(new_invoice, "currency") == currency  # new documents use it
    order_codes = options(client.get("/purchase-orders/new").get_data(as_text=True), "lines-0-tax_type")
    assert purchases in order_codes and sales not in order_codes
    product_codes = options(client.get("/products/new").get_data(as_text=True), "tax_type")
    assert {sales, purchases} <= set(product_codes) and "GSTONIMPORTS" not in product_codes
    # Live totals use the organisation's percentages, and its usual rate for a blank line.
    live = client.post("/invoices/totals", headers=HTMX, data={
        "amount_type": "Exclusive", "currency": currency, "lines-0-quantity": "1",
        "lines-0-unit_price": "100", "lines-0-tax_type": sales, "lines-0-description": "x",
        "lines-1-quantity": "1", "lines-1-unit_price": "100", "lines-1-tax_type": "",
        "lines-1-description": "y"}).get_data(as_text=True)
    assert f"<dt>Tax</dt>\n    <dd>{2 * percent}.00</dd>" in live

    # An invoice and a purchase order, through the forms and the worker, reach Xero with them.
    client_id = records.client(workspace.id, name="Regional Customer")
    assert client.post("/invoices/new", data=invoice_form(client_id, currency, sales)).status_code == 302
    invoice_id = saved_id(live_app, Invoice, "INV-0100")
    assert client.post(f"/xero/invoice/{invoice_id}/push", headers=HTMX).status_code == 200
    supplier_id = records.supplier(workspace.id, name="Regional Supplier")
    assert client.post("/purchase-orders/new", data=order_form(supplier_id, purchases)).status_code == 302
    worker()

    (invoice,) = held(live_sandbox, tenant, "invoices")
    line = requests.get(f"{live_sandbox.url}/_sandbox/objects/{tenant}/invoices/{invoice['InvoiceID']}",
                        timeout=10).json()["Invoices"][0]["LineItems"][0]
    assert (invoice["CurrencyCode"], line["TaxType"], invoice["TotalTax"]) == (currency, sales, percent)
    (order,) = held(live_sandbox, tenant, "purchaseorders")
    assert (order["CurrencyCode"], order["LineItems"][0]["TaxType"], order["TotalTax"]) == (
        currency, purchases, percent)


def test_only_the_first_connect_sets_the_workspace_currency(connector, client, live_app):
    connector.connect(tenants=[UK_TENANT_ID])
    assert workspace_of(live_app).default_currency == "GBP"
    client.post("/settings/", data={"name": "Acme Ltd", "default_currency": "EUR",
                                    "time_zone": "Europe/London"})
    client.post("/settings/integrations/disconnect")
    connector.connect(tenants=[SECOND_TENANT_ID])
    assert workspace_of(live_app).default_currency == "EUR"  # the person's choice stands
    with live_app.app_context():  # the lists of both organisations are kept, per organisation
        assert {o.tenant_id for o in db.session.scalars(sa.select(XeroOrganisation))} == {
            UK_TENANT_ID, SECOND_TENANT_ID}


def test_after_disconnecting_the_last_organisations_rates_are_still_offered(connector, client):
    connector.connect(tenants=[UK_TENANT_ID])
    client.post("/settings/integrations/disconnect")
    page = client.get("/invoices/new").get_data(as_text=True)
    assert "20% (VAT on Income) (20%)" in page


# -- stopped before the call ---------------------------------------------------------------------

def test_an_invoice_in_a_currency_the_organisation_has_not_enabled_is_stopped_before_any_call(
        connector, client, live_app, live_sandbox, records, worker):
    connector.connect(tenants=[UK_TENANT_ID])
    workspace = workspace_of(live_app)
    invoice_id = records.invoice(workspace.id, currency="EUR", lines=[InvoiceLine(
        description="Tea", quantity=Decimal(1), unit_price=Decimal(10), tax_type="OUTPUT2")])
    calls = totals(live_sandbox.url).get("calls", 0)
    client.post(f"/xero/invoice/{invoice_id}/push", headers=HTMX)
    worker()

    job = last_push(live_app, "invoice", invoice_id)
    assert job.status == "failed" and job.error_kind == "validation"
    assert job.error_message.startswith(f"Xero's organisation {UK_ORG} does not use currency EUR "
                                        "(it takes GBP).")
    panel = text_of(client.get(f"/xero/invoice/{invoice_id}/panel", headers=HTMX).get_data(as_text=True))
    assert f"{UK_ORG} does not use currency EUR" in panel and "Try again" in panel
    assert totals(live_sandbox.url).get("calls", 0) == calls  # not even the client was sent
    assert held(live_sandbox, UK_TENANT_ID, "contacts") == []

    # Once EUR is enabled in Xero and the lists are read again, the same invoice goes.
    requests.post(f"{live_sandbox.url}/_sandbox/orgs/{UK_TENANT_ID}/currencies",
                  json={"currencies": ["EUR"]}, timeout=10)
    client.post("/settings/integrations/refresh-lists", data={"next": "/settings/integrations/"})
    worker()
    client.post(f"/xero/invoice/{invoice_id}/push", headers=HTMX)
    worker()
    assert last_push(live_app, "invoice", invoice_id).status == "done"
    assert [i["CurrencyCode"] for i in held(live_sandbox, UK_TENANT_ID, "invoices")] == ["EUR"]


def test_a_tax_rate_the_organisation_does_not_have_is_stopped_with_where_to_change_it(
        connector, client, live_app, live_sandbox, records, worker):
    connector.connect(tenants=[SECOND_TENANT_ID])
    workspace = workspace_of(live_app)
    invoice_id = records.invoice(workspace.id, currency="AUD", lines=[InvoiceLine(
        description="Beans", quantity=Decimal(1), unit_price=Decimal(10), tax_type="OUTPUT2")])
    calls = totals(live_sandbox.url).get("calls", 0)
    client.post(f"/xero/invoice/{invoice_id}/push", headers=HTMX)
    worker()

    job = last_push(live_app, "invoice", invoice_id)
    assert job.status == "failed" and job.error_field == "Tax rate"
    assert job.error_message == (f"Tax rate OUTPUT2 does not exist in {AU_ORG}: choose one of its "
                                 "rates on the invoice's Edit page")
    assert totals(live_sandbox.url).get("calls", 0) == calls
    # The Edit page keeps the saved code, marked, and offers the organisation's own.
    edit = client.get(f"/invoices/{invoice_id}/edit").get_data(as_text=True)
    assert f"OUTPUT2 (not a rate of {AU_ORG})" in edit and "GST on Income (10%)" in edit


def test_a_sales_rate_on_a_purchase_order_is_stopped(connector, client, live_app, live_sandbox,
                                                     records, worker):
    connector.connect()
    workspace = workspace_of(live_app)
    order_id = records.purchase_order(workspace.id, lines=[PurchaseOrderLine(
        description="Cups", quantity=Decimal(10), unit_cost=Decimal("9.50"), tax_type="OUTPUT2")])
    client.post(f"/xero/purchase_order/{order_id}/push", headers=HTMX)
    worker()
    job = last_push(live_app, "purchase_order", order_id)
    assert job.status == "failed"
    assert job.error_message == (f"Tax rate OUTPUT2 (15% GST on Income) is not a purchase rate in "
                                 f"{NZ_ORG}: choose one of its rates on the purchase order's Edit page")
    assert held(live_sandbox, DEMO_TENANT_ID, "purchaseorders") == []


def test_a_default_tax_rate_the_organisation_lacks_says_to_change_the_default(
        connector, client, live_app, records, worker):
    connector.connect(tenants=[UK_TENANT_ID])
    workspace = workspace_of(live_app)
    with live_app.app_context():  # chosen while connected to another organisation, say
        from xeroapp.models import XeroConnection
        db.session.scalar(sa.select(XeroConnection)).sales_tax_type = "OUTPUT"
        db.session.commit()
    invoice_id = records.invoice(workspace.id, currency="GBP")
    client.post(f"/xero/invoice/{invoice_id}/push", headers=HTMX)
    worker()
    assert last_push(live_app, "invoice", invoice_id).error_message == (
        f"Tax rate OUTPUT does not exist in {UK_ORG}: choose one of its rates as the default in "
        "Settings > Integrations")


def test_bulk_send_fails_only_the_record_the_organisation_cannot_take(
        connector, client, live_app, live_sandbox, records, worker):
    connector.connect(tenants=[UK_TENANT_ID])
    workspace = workspace_of(live_app)
    good = records.invoice(workspace.id, number="INV-0001", currency="GBP")
    bad = records.invoice(workspace.id, number="INV-0002", currency="USD")
    assert client.post("/xero/bulk/invoices/send", headers=HTMX).status_code == 200
    worker()
    assert last_push(live_app, "invoice", good).status == "done"
    refused = last_push(live_app, "invoice", bad)
    assert refused.status == "failed" and "does not use currency USD" in refused.error_message
    assert [i["InvoiceNumber"] for i in held(live_sandbox, UK_TENANT_ID, "invoices")] == ["INV-0001"]


def test_the_invoice_form_refuses_a_tax_rate_the_organisation_does_not_offer(connector, client,
                                                                             live_app, records):
    connector.connect(tenants=[SECOND_TENANT_ID])
    client_id = records.client(workspace_of(live_app).id)
    answer = client.post("/invoices/new", data=invoice_form(client_id, "AUD", "OUTPUT2"))
    assert answer.status_code in (200, 422) and "Not a valid choice" in answer.get_data(as_text=True)


# -- never connected ---------------------------------------------------------------------------

def test_a_workspace_that_never_connected_gets_the_built_in_rates_of_its_currency(client, user, live_app):
    page = client.get("/invoices/new").get_data(as_text=True)
    assert "15% GST on Income (15%)" in page  # NZD, the sign-up default
    client.post("/settings/", data={"name": "Acme Ltd", "default_currency": "GBP",
                                    "time_zone": "Europe/London"})
    page = client.get("/invoices/new").get_data(as_text=True)
    assert "20% (VAT on Income) (20%)" in page
    assert "20% (VAT on Expenses) (20%)" in client.get("/products/new").get_data(as_text=True)
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(XeroOrganisation)) == 0


def test_the_product_form_suggests_and_checks_the_organisations_accounts(connector, client, live_app):
    connector.connect(tenants=[UK_TENANT_ID])
    page = client.get("/products/new").get_data(as_text=True)
    assert 'list="org-purchase-accounts"' in page and '<option value="300">300 - Purchases</option>' in page
    form = {"sku": "KETTLE", "name": "Kettle", "cost_price": "12", "sale_price": "30",
            "purchase_account_code": "999", "sales_account_code": "200", "tax_type": "RROUTPUT"}
    refused = client.post("/products/new", data=form)
    assert refused.status_code == 422
    assert f"{UK_ORG} has no account 999" in text_of(refused.get_data(as_text=True))
    saved = client.post("/products/new", data={**form, "purchase_account_code": "300"})
    assert saved.status_code == 302
    detail = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "5% (VAT on Income)" in detail
