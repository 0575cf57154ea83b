"""Which connections a consent granted (xeroapp/integrations/granted.py), for the cases the
sandbox cannot produce: Xero moving neither authEventId nor updatedDateUtc."""
from __future__ import annotations

from datetime import datetime, timezone

from xeroapp.integrations.granted import of_this_consent

TOKEN_ISSUED = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc).timestamp()
CLAIMS = {"authentication_event_id": "new-event", "nbf": int(TOKEN_ISSUED)}


def listed(tenant: str, updated: str, created: str = "2025-01-01T00:00:00.0000000",
           event: str = "old-event") -> dict:
    return {"id": f"conn-{tenant}", "tenantId": tenant, "tenantName": tenant.title(),
            "authEventId": event, "createdDateUtc": created, "updatedDateUtc": updated}


def tenants(granted) -> list[str]:
    return [c["tenantId"] for c in granted.connections]


def test_the_event_id_decides_when_xero_moves_it():
    both = [listed("a", "2026-12-01T08:59:00.0000000", event="new-event"),
            listed("b", "2026-12-01T08:59:00.0000000", created="2026-12-01T08:59:00.0000000")]
    granted = of_this_consent(both, CLAIMS, own_tenant_id="b")
    assert (tenants(granted), granted.rule, granted.certain) == (["a"], "event", True)


def test_the_workspaces_own_organisation_when_xero_says_nothing_new():
    stale = [listed("a", "2026-06-01T00:00:00.0000000"), listed("b", "2026-07-01T00:00:00.0000000")]
    granted = of_this_consent(stale, CLAIMS, own_tenant_id="a")
    assert (tenants(granted), granted.rule) == (["a"], "own")


def test_another_organisation_just_connected_wins_over_the_workspaces_stale_one():
    rows = [listed("a", "2026-06-01T00:00:00.0000000"), listed("b", "2026-12-01T08:58:30.1234567")]
    granted = of_this_consent(rows, CLAIMS, own_tenant_id="a")
    assert (tenants(granted), granted.rule) == (["b"], "recent")


def test_nothing_to_go_by_offers_every_organisation_newest_first_and_says_so():
    rows = [listed("a", "2026-06-01T00:00:00.0000000"), listed("b", "2026-07-01T00:00:00.0000000"),
            listed("c", "not a date")]
    granted = of_this_consent(rows, {"authentication_event_id": "new-event"}, own_tenant_id=None)
    assert (tenants(granted), granted.rule, granted.certain) == (["b", "a", "c"], "all", False)


def test_no_connections_grant_nothing():
    assert of_this_consent([], CLAIMS, own_tenant_id="a").connections == []
