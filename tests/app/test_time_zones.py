"""Workspace time zones: set at sign-up from the browser, changed in Settings, and applied to
every time a page shows (the database keeps UTC)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import sqlalchemy as sa

from xeroapp import create_app
from xeroapp.config import TestConfig
from xeroapp.extensions import db
from xeroapp.models import Workspace
from xeroapp.rendering import local_time

# 22:30 UTC on 15 January is 11:30 the next morning in Auckland (NZDT, UTC+13).
SUMMER_EVENING_UTC = datetime(2026, 1, 15, 22, 30, tzinfo=timezone.utc)


def stored_zone(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Workspace.time_zone))


def test_signup_page_has_the_hidden_field_app_js_fills(client):
    body = client.get("/auth/signup").get_data(as_text=True)
    assert re.search(r'<input[^>]*data-browser-time-zone[^>]*type="hidden"|'
                     r'<input[^>]*type="hidden"[^>]*data-browser-time-zone', body)
    assert 'name="time_zone"' in body


def test_signup_keeps_the_browsers_time_zone(app, auth):
    assert auth.signup(time_zone="Pacific/Auckland").status_code == 302
    assert stored_zone(app) == "Pacific/Auckland"


def test_signup_with_an_unknown_or_missing_time_zone_uses_utc(app, client, auth):
    assert auth.signup(time_zone="Mars/Olympus_Mons").status_code == 302
    assert stored_zone(app) == "UTC"

    auth.logout()
    assert auth.signup(email="bob@example.com", workspace_name="Bob Ltd").status_code == 302
    with app.app_context():
        zones = db.session.scalars(sa.select(Workspace.time_zone).order_by(Workspace.id)).all()
    assert zones == ["UTC", "UTC"]  # no field at all (no JavaScript): UTC too


def test_settings_lists_zones_with_the_current_one_selected(client, auth):
    auth.signup(time_zone="Australia/Sydney")

    body = client.get("/settings/").get_data(as_text=True)

    assert '<select' in body and 'name="time_zone"' in body
    assert re.search(r'<option selected value="Australia/Sydney">|'
                     r'<option value="Australia/Sydney" selected>', body)
    values = re.findall(r'<option (?:selected )?value="([A-Za-z]+/[^"]+)"', body)
    assert "Pacific/Auckland" in values and "Europe/London" in values
    assert values == sorted(values)
    assert 'value="localtime"' not in body  # the server's own zone file is no place


def test_settings_saves_the_time_zone(app, client, auth):
    auth.signup()

    response = client.post("/settings/", data={"name": "Acme Ltd", "default_currency": "NZD",
                                                "time_zone": "Europe/London"})

    assert response.status_code == 302
    assert stored_zone(app) == "Europe/London"


def test_settings_rejects_an_unknown_time_zone_and_saves_nothing(app, client, auth):
    auth.signup(time_zone="Pacific/Auckland")

    response = client.post("/settings/", data={"name": "Renamed Ltd", "default_currency": "AUD",
                                                "time_zone": "Pacific/Atlantis"})

    assert response.status_code == 422
    assert "Unknown time zone: choose one from the list." in response.get_data(as_text=True)
    with app.app_context():
        workspace = db.session.scalar(sa.select(Workspace))
        assert (workspace.name, workspace.default_currency, workspace.time_zone) == (
            "Acme Ltd", "NZD", "Pacific/Auckland")


def test_local_time_is_utc_without_a_logged_in_user(app):
    with app.app_context():  # a worker: no request at all
        assert local_time(SUMMER_EVENING_UTC, "%d %b %Y %H:%M %Z") == "15 Jan 2026 22:30 UTC"
    with app.test_request_context("/"):  # a request nobody is logged in to
        assert local_time(SUMMER_EVENING_UTC, "%d %b %Y %H:%M %Z") == "15 Jan 2026 22:30 UTC"
        # Naive values are UTC as well; no value is blank.
        assert local_time(SUMMER_EVENING_UTC.replace(tzinfo=None), "%H:%M %Z") == "22:30 UTC"
        assert local_time(None) == ""


def test_existing_workspaces_get_utc_from_the_migration(tmp_path):
    app = create_app(type("FreshDatabaseConfig", (TestConfig,),
                          {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "011bf9f1c314"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO workspaces (name, default_currency, po_save_to_xero_default, "
                "po_xero_status, created_at) VALUES ('Old Ltd', 'NZD', 0, 'DRAFT', "
                "'2026-11-01 00:00:00')"))
        db.engine.dispose()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Workspace.time_zone)) == "UTC"
        db.session.remove()
        db.engine.dispose()
