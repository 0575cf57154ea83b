"""The panel's and the bulk partial's routes are written out one by one (so a URL can be found
by searching for it); these checks keep them in step with the kinds and lists they serve."""
from __future__ import annotations

from flask import url_for

from xeroapp.bulk.state import LISTS
from xeroapp.models.bulk import BULK_MODES
from xeroapp.panel.views import PANEL_MODELS


def test_every_panel_kind_has_its_four_routes(app):
    with app.test_request_context():
        for kind in PANEL_MODELS:
            assert url_for("panel.show", **{f"{kind}_id": 7}) == f"/xero/{kind}/7/panel"
            assert url_for("panel.push", **{f"{kind}_id": 7}) == f"/xero/{kind}/7/push"
            assert (url_for("panel.choose_contact", **{f"{kind}_id": 7})
                    == f"/xero/{kind}/7/choose-contact")
            assert url_for("panel.history", **{f"{kind}_id": 7}) == f"/xero/{kind}/7/history"


def test_every_bulk_list_has_its_partial_and_one_route_per_mode(app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("bulk.")}
    expected = {f"bulk.show_{plural}": (f"/xero/bulk/{plural}", {}) for plural in LISTS}
    expected |= {f"bulk.{mode}_{plural}": (f"/xero/bulk/{plural}/{mode}",
                                          {"kind": kind, "mode": mode})
                 for plural, kind in LISTS.items() for mode in BULK_MODES}
    assert {endpoint: (rule.rule, rule.defaults or {})
            for endpoint, rule in rules.items()} == expected
