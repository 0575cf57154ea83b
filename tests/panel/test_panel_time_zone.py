"""Times on the panel and the Xero pages read in the workspace's time zone (stored as UTC)."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.sync.push_support import text_of
from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink

# 22:30 UTC on 15 January is 11:30 the next day in Auckland (summer: NZDT, UTC+13);
# 20:05 UTC on 1 July is 08:05 the next day there (winter: NZST, UTC+12).
SUMMER_UTC = datetime(2026, 1, 15, 22, 30, tzinfo=timezone.utc)
WINTER_UTC = datetime(2026, 7, 1, 20, 5, tzinfo=timezone.utc)


def choose_zone(desk, zone: str) -> None:
    """Through the Settings form, as a person would."""
    answer = desk.client.post("/settings/", data={"name": "Acme Ltd", "default_currency": "NZD",
                                                  "time_zone": zone})
    assert answer.status_code == 302


def test_panel_shows_sent_times_in_the_workspace_zone(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.send("client", client_id)
    with app.app_context():
        link = db.session.scalar(db.select(XeroLink).filter_by(record_kind="client",
                                                               record_id=client_id))
        link.linked_at, link.pushed_at = WINTER_UTC, SUMMER_UTC
        job = db.session.scalar(db.select(PushJob).filter_by(record_id=client_id))
        job.created_at = SUMMER_UTC
        db.session.commit()

    assert "Last sent 15 Jan 2026, 22:30 UTC" in text_of(desk.panel("client", client_id))

    choose_zone(desk, "Pacific/Auckland")
    panel = desk.panel("client", client_id)

    text = text_of(panel)
    assert "In Xero since 02 Jul 2026, 08:05 NZST" in text
    assert "Last sent 16 Jan 2026, 11:30 NZDT" in text
    # The history row converts its visible text; the machine-readable attribute stays UTC.
    assert '<time datetime="2026-01-15T22:30:00+00:00">16 Jan 2026 11:30</time>' in panel


def test_activity_and_connection_pages_use_the_workspace_zone(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.send("client", client_id)
    with app.app_context():
        db.session.scalar(db.select(PushJob).filter_by(record_id=client_id)).created_at = SUMMER_UTC
        db.session.scalar(db.select(XeroConnection)).connected_at = WINTER_UTC
        db.session.commit()
    choose_zone(desk, "Pacific/Auckland")

    activity = desk.client.get("/settings/integrations/activity").get_data(as_text=True)
    assert '<time datetime="2026-01-15T22:30:00+00:00">16 Jan 2026 11:30</time>' in activity

    integrations = text_of(desk.client.get("/settings/integrations/").get_data(as_text=True))
    assert "on 02 Jul 2026 at 08:05 NZST" in integrations

    settings = text_of(desk.client.get("/settings/").get_data(as_text=True))
    assert "on 02 Jul 2026." in settings  # a date alone changes too: it is already the 2nd there
