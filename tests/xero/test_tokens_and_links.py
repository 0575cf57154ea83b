"""Token bookkeeping that needs no Xero: expiry health, JWT claims, deep links."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection
from xeroapp.xero.links import deep_link
from xeroapp.xero.tokens import store_token_set, token_health, unverified_claims


def jwt_with(claims: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.signature"


def connection_with_refresh_issued(app, days_ago: int) -> XeroConnection:
    connection = XeroConnection(workspace_id=1, tenant_id="t", tenant_name="Org")
    with app.app_context():
        store_token_set(connection, {"access_token": "a", "refresh_token": "r", "expires_in": 1800})
    connection.refresh_token_issued_at = utcnow() - timedelta(days=days_ago)
    return connection


def test_fresh_refresh_token_is_healthy(app):
    health = token_health(connection_with_refresh_issued(app, 1))
    assert (health.warning, health.expired, health.days_left) == (False, False, 58)


def test_refresh_token_near_its_sixty_days_warns(app):
    health = token_health(connection_with_refresh_issued(app, 50))
    assert health.warning and not health.expired
    assert health.days_left == 9


def test_refresh_token_past_sixty_days_is_expired(app):
    assert token_health(connection_with_refresh_issued(app, 61)).expired


def test_token_set_is_stored_encrypted_with_its_expiry(app):
    connection = XeroConnection(workspace_id=1, tenant_id="t", tenant_name="Org")
    with app.app_context():
        store_token_set(connection, {"access_token": "ACCESS", "refresh_token": "REFRESH",
                                     "expires_in": 1800, "scope": "openid accounting.settings"})
        assert connection.refresh_token == "REFRESH"
    assert "REFRESH" not in connection.refresh_token_encrypted
    assert "ACCESS" not in connection.access_token_encrypted
    assert timedelta(minutes=29) < connection.access_token_expires_at - utcnow() <= timedelta(minutes=30)
    assert connection.scopes == "openid accounting.settings"


def test_unverified_claims_read_the_payload_and_tolerate_junk():
    assert unverified_claims(jwt_with({"authentication_event_id": "e1"})) == {
        "authentication_event_id": "e1"}
    assert unverified_claims("not a jwt") == {}
    assert unverified_claims("a.%%%.c") == {}
    assert unverified_claims(None) == {}


def test_deep_links_open_the_right_organisation(app):
    with app.app_context():
        assert deep_link("!kT7qP", "invoice", "inv-1") == (
            "https://go.xero.com/organisationlogin/default.aspx?shortcode=!kT7qP"
            "&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=inv-1")
        assert deep_link("!kT7qP", "purchase_order", "po-1").endswith(
            "redirecturl=/Accounts/Payable/PurchaseOrders/View/po-1/")
        assert deep_link("!kT7qP", "client", "c-1").endswith("redirecturl=/Contacts/View/c-1")
        assert deep_link(None, "invoice", "inv-1") is None
        assert deep_link("!kT7qP", "product", "i-1") is None
