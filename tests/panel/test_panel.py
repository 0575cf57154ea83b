"""The integration panel partial and its routes: states, polling, coalescing, access."""
from __future__ import annotations

import pytest

from tests.sync.push_support import HTMX, text_of
from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.queue import get_queue

POLL = 'hx-trigger="load delay:1s"'


def test_not_connected_says_so_and_links_to_settings(app, client, auth, records):
    auth.signup()
    client_id = records.client(records.workspace_id_of(auth.default.email))

    panel = client.get(f"/xero/client/{client_id}/panel", headers=HTMX).get_data(as_text=True)

    assert "Xero is not connected" in text_of(panel)
    assert 'href="/settings/integrations/"' in panel
    assert 'action="/settings/integrations/connect"' in panel  # Connect to Xero, one click
    assert ">Send</button>" not in panel and POLL not in panel

    answer = client.post(f"/xero/client/{client_id}/push", headers=HTMX)
    assert "Xero is not connected. Connect it in Settings" in text_of(answer.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PushJob.id))) == 0


def test_not_in_xero_offers_send(desk, records):
    client_id = records.client(desk.workspace_id)
    panel = desk.panel("client", client_id)
    assert "Not in Xero" in text_of(panel) and ">Send</button>" in panel and POLL not in panel


def test_click_answers_queued_at_once_and_polls_until_done(desk, records, app):
    client_id = records.client(desk.workspace_id)

    answer = desk.press("client", client_id)

    queued = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Queued" in queued and POLL in queued
    assert f'hx-get="/xero/client/{client_id}/panel"' in queued
    (job,) = desk.jobs("client", client_id)
    with app.app_context():
        assert get_queue().job_ids == [f"push-{job.id}"]

    desk.drain()
    done = desk.panel("client", client_id)
    assert "In Xero" in text_of(done) and POLL not in done


def test_running_push_shows_sending(desk, records, app):
    client_id = records.client(desk.workspace_id)
    desk.press("client", client_id)
    with app.app_context():
        db.session.scalar(db.select(PushJob)).status = "running"
        db.session.commit()
    panel = desk.panel("client", client_id)
    assert "Sending" in text_of(panel) and POLL in panel and "disabled" in panel


def test_double_click_coalesces_onto_one_push(desk, records, app):
    client_id = records.client(desk.workspace_id)

    desk.press("client", client_id)
    desk.press("client", client_id)

    assert len(desk.jobs("client", client_id)) == 1
    with app.app_context():
        assert get_queue().count == 1
    desk.drain()
    assert len(desk.held("contacts")) == 1


def test_only_one_pending_push_per_record_even_when_requests_race(desk, records, app):
    """The partial unique index: a second pending row for the same record cannot be inserted."""
    from sqlalchemy.exc import IntegrityError

    client_id = records.client(desk.workspace_id)
    with app.app_context():
        row = dict(workspace_id=desk.workspace_id, record_kind="client", record_id=client_id,
                   action="send", status="queued")
        db.session.add(PushJob(**row))
        db.session.commit()
        db.session.add(PushJob(**row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(PushJob(**{**row, "status": "done"}))  # finished ones do not count
        db.session.commit()


def test_history_lists_when_who_action_and_result(desk, records):
    client_id = records.client(desk.workspace_id)
    desk.send("client", client_id)
    desk.send("client", client_id)

    history = text_of(desk.client.get(f"/xero/client/{client_id}/history", headers=HTMX).get_data(as_text=True))
    assert "Ada Lovelace Update Updated" in history
    assert "Ada Lovelace Send Sent" in history


def test_view_in_xero_opens_the_organisation_by_short_code(desk, records):
    client_id = records.client(desk.workspace_id)
    panel = desk.send("client", client_id)
    contact_id = desk.link("client", client_id).xero_id
    assert ("https://go.xero.com/organisationlogin/default.aspx?shortcode=!kT7qP&amp;"
            f"redirecturl=/Contacts/View/{contact_id}") in panel


def test_another_workspaces_record_is_not_found(desk, records):
    other = records.workspace("Other Ltd", "other@example.com")
    their_client = records.client(other, name="Theirs")
    their_invoice = records.invoice(other)

    for path in (f"/xero/client/{their_client}/panel", f"/xero/invoice/{their_invoice}/history"):
        assert desk.client.get(path, headers=HTMX).status_code == 404
    for path in (f"/xero/client/{their_client}/push", f"/xero/invoice/{their_invoice}/push",
                 f"/xero/client/{their_client}/choose-contact"):
        assert desk.client.post(path, data={"contact_id": "new"}, headers=HTMX).status_code == 404
    assert desk.client.get("/xero/spaceship/1/panel", headers=HTMX).status_code == 404
    assert desk.jobs("client", their_client) == []


def test_push_without_the_csrf_header_is_refused(desk, records):
    client_id = records.client(desk.workspace_id)
    answer = desk.client.post(f"/xero/client/{client_id}/push", headers=HTMX, csrf=False)
    assert answer.status_code == 400
    assert desk.jobs("client", client_id) == []


def test_client_and_invoice_pages_carry_the_panel_in_their_xero_tab(desk, records):
    client_id = records.client(desk.workspace_id)
    invoice_id = records.invoice(desk.workspace_id, client_id=client_id)

    client_page = desk.client.get(f"/clients/{client_id}?tab=xero").get_data(as_text=True)
    invoice_page = desk.client.get(f"/invoices/{invoice_id}?tab=xero").get_data(as_text=True)

    assert f'id="xero-panel-client-{client_id}"' in client_page
    assert f'id="xero-panel-invoice-{invoice_id}"' in invoice_page
    assert "sending the client Bayside Café first" in text_of(invoice_page)


def test_needs_reconnect_is_said_on_the_panel(desk, records, app):
    client_id = records.client(desk.workspace_id)
    with app.app_context():
        db.session.scalar(db.select(XeroConnection)).needs_reconnect = True
        db.session.commit()
    assert "Xero needs reconnecting" in text_of(desk.panel("client", client_id))
    desk.press("client", client_id)
    assert "will be sent as soon as someone reconnects" in text_of(desk.panel("client", client_id))


def test_a_wait_for_reconnection_polls_slowly(desk, records, app):
    client_id = records.client(desk.workspace_id)
    with app.app_context():
        db.session.scalar(db.select(XeroConnection)).needs_reconnect = True
        db.session.commit()
    desk.press("client", client_id)
    panel = desk.panel("client", client_id)
    assert 'hx-trigger="load delay:10s"' in panel and POLL not in panel
