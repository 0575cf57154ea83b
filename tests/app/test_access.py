"""Login is required everywhere but sign-up and log-in; workspaces never see each other's data."""
from __future__ import annotations

import re

import pytest

PUBLIC_ENDPOINTS = {"auth.login", "auth.signup", "static", "health.healthz", "health.workers"}
# Every URL variable of a record route must be listed here (with how to make such a record),
# so that a new record route fails test_every_record_route_is_covered until it is covered.
RECORD_FACTORIES = {
    "client_id": "client",
    "supplier_id": "supplier",
    "product_id": "product",
    "invoice_id": "invoice",
    "purchase_order_id": "purchase_order",
}


def get_rules(app, with_arguments: bool):
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in PUBLIC_ENDPOINTS
            and bool(rule.arguments) == with_arguments]


def build_url(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_every_non_auth_page_requires_login(app, client):
    rules = get_rules(app, with_arguments=False) + get_rules(app, with_arguments=True)
    assert len(rules) >= 12
    for rule in rules:
        url = build_url(rule, {name: 1 for name in rule.arguments})
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login?next="), url


def test_login_redirect_carries_the_page(client):
    response = client.get("/invoices/?page=2")
    assert response.headers["Location"] == "/auth/login?next=/invoices/?page%3D2"


def test_unauthenticated_htmx_request_is_redirected_by_header(client):
    response = client.get("/clients/", headers={"HX-Request": "true",
                                                "HX-Current-URL": "http://localhost/clients/?page=3"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/auth/login?next=/clients/?page%3D3"
    assert response.data == b""


def test_unknown_url_is_a_friendly_404_without_login(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data


def test_every_record_route_is_covered(app):
    names = {name for rule in get_rules(app, with_arguments=True) for name in rule.arguments}
    assert names <= set(RECORD_FACTORIES), f"add factories for {names - set(RECORD_FACTORIES)}"


@pytest.fixture
def two_workspaces(auth, records):
    """Ada (logged in) and another workspace holding one record of every kind."""
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    other = records.workspace()
    theirs = {name: getattr(records, kind)(other) for name, kind in RECORD_FACTORIES.items()}
    ours = {name: getattr(records, kind)(mine) for name, kind in RECORD_FACTORIES.items()}
    return ours, theirs


def test_another_workspaces_records_answer_404(app, client, two_workspaces):
    ours, theirs = two_workspaces
    record_rules = get_rules(app, with_arguments=True)
    assert record_rules
    for rule in record_rules:
        assert client.get(build_url(rule, ours)).status_code == 200, rule.rule
        response = client.get(build_url(rule, theirs))
        assert response.status_code == 404, rule.rule
        assert b"We could not find that page" in response.data


def test_lists_show_only_the_workspaces_own_records(client, records, auth):
    auth.signup()
    mine = records.workspace_id_of("ada@example.com")
    other = records.workspace()
    records.client(mine, name="Our Client")
    records.client(other, name="Their Client")
    records.supplier(other, name="Their Supplier")
    records.product(other, sku="THEIRS", name="Their Product")
    records.invoice(other, number="THEIR-INV")
    records.purchase_order(other, number="THEIR-PO")

    pages = {url: client.get(url).data for url in
             ("/", "/clients/", "/suppliers/", "/products/", "/invoices/", "/purchase-orders/")}

    assert b"Our Client" in pages["/clients/"]
    for url, body in pages.items():
        assert b"Their" not in body, url
