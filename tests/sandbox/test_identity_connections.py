"""GET /connections and DELETE /connections/{id} (Bearer only, no tenant header)."""
from __future__ import annotations

import re

from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

XERO_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$")


def _mint(client, **body):
    resp = client.post("/_sandbox/tokens", json=body)
    assert resp.status_code == 200, resp.json
    return resp.json


def _auth(token_set):
    return {"Authorization": f"Bearer {token_set['access_token']}"}


def test_lists_connections_in_xero_shape(client):
    tokens = _mint(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    resp = client.get("/connections", headers=_auth(tokens))
    body = resp.json
    assert resp.status_code == 200 and isinstance(body, list) and len(body) == 2
    demo = next(c for c in body if c["tenantId"] == DEMO_TENANT_ID)
    assert set(demo) == {"id", "authEventId", "tenantId", "tenantType", "tenantName",
                         "createdDateUtc", "updatedDateUtc"}
    assert demo["tenantType"] == "ORGANISATION" and demo["tenantName"] == "Demo Company (Sandbox)"
    assert XERO_DATE.match(demo["createdDateUtc"]) and XERO_DATE.match(demo["updatedDateUtc"])
    assert body == tokens["connections"]


def test_only_the_app_minute_rate_header_counting_each_call(client):
    tokens = _mint(client)
    first = client.get("/connections", headers=_auth(tokens))
    second = client.get("/connections", headers=_auth(tokens))
    assert int(second.headers["X-AppMinLimit-Remaining"]) == int(first.headers["X-AppMinLimit-Remaining"]) - 1
    assert "X-MinLimit-Remaining" not in first.headers and "X-DayLimit-Remaining" not in first.headers


def test_auth_event_id_filter(client):
    first = _mint(client, tenants=[DEMO_TENANT_ID])
    second = _mint(client, tenants=[SECOND_TENANT_ID])
    event = second["connections"][-1]["authEventId"]
    resp = client.get(f"/connections?authEventId={event}", headers=_auth(first))
    assert [c["tenantId"] for c in resp.json] == [SECOND_TENANT_ID]


def test_delete_disconnects_one_tenant_then_404(client):
    tokens = _mint(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    target = next(c for c in tokens["connections"] if c["tenantId"] == SECOND_TENANT_ID)
    resp = client.delete(f"/connections/{target['id']}", headers=_auth(tokens))
    assert resp.status_code == 204 and resp.data == b""
    left = client.get("/connections", headers=_auth(tokens)).json
    assert [c["tenantId"] for c in left] == [DEMO_TENANT_ID]
    assert client.delete(f"/connections/{target['id']}", headers=_auth(tokens)).status_code == 404
    stats = client.get("/_sandbox/stats").json
    assert stats["totals"]["connections.deleted"] == 1


def test_reconnecting_after_disconnect_keeps_id_and_created_date(client):
    tokens = _mint(client)
    before = tokens["connections"][0]
    client.delete(f"/connections/{before['id']}", headers=_auth(tokens))
    client.post("/_sandbox/clock", json={"advance": 120})
    after = _mint(client)["connections"][0]
    assert after["id"] == before["id"] and after["createdDateUtc"] == before["createdDateUtc"]
    assert after["updatedDateUtc"] > before["updatedDateUtc"]


def test_delete_by_tenant_id_is_not_a_connection_id(client):
    tokens = _mint(client)
    assert client.delete(f"/connections/{DEMO_TENANT_ID}", headers=_auth(tokens)).status_code == 404


def test_another_apps_connection_is_404(client):
    client.post("/_sandbox/apps", json={"client_id": "other", "client_secret": "pw",
                                         "redirect_uris": ["https://other.example/cb"]})
    mine = _mint(client)
    theirs = _mint(client, client_id="other")
    conn_id = theirs["connections"][0]["id"]
    assert client.delete(f"/connections/{conn_id}", headers=_auth(mine)).status_code == 404
    assert len(client.get("/connections", headers=_auth(theirs)).json) == 1


def test_all_connections_deleted_still_lists_empty_with_200(client):
    tokens = _mint(client)
    client.delete(f"/connections/{tokens['connections'][0]['id']}", headers=_auth(tokens))
    resp = client.get("/connections", headers=_auth(tokens))
    assert resp.status_code == 200 and resp.json == []


def test_connections_need_a_valid_bearer(client):
    assert client.get("/connections").status_code == 401
    assert client.get("/connections", headers={"Authorization": "Bearer junk"}).status_code == 401
    tokens = _mint(client)
    client.post("/_sandbox/clock", json={"advance": 31 * 60})
    expired = client.get("/connections", headers=_auth(tokens))
    assert expired.status_code == 401 and expired.json["Detail"].startswith("TokenExpired")


def test_mint_contract_defaults(client):
    tokens = _mint(client)
    assert {"access_token", "refresh_token", "expires_in", "token_type", "scope",
            "id_token", "connections"} <= set(tokens)
    assert [c["tenantId"] for c in tokens["connections"]] == [DEMO_TENANT_ID]
    assert {"accounting.transactions", "accounting.invoices", "offline_access"} <= set(tokens["scope"].split())


def test_mint_rejects_unknown_tenants_users_and_scopes(client):
    assert client.post("/_sandbox/tokens", json={"tenants": ["nope"]}).status_code == 400
    assert client.post("/_sandbox/tokens", json={"user": "nobody"}).status_code == 400
    assert client.post("/_sandbox/tokens", json={"scopes": "openid made.up"}).status_code == 400
