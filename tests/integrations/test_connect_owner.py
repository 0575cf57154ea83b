"""A Connect to Xero attempt can only be finished by the person, workspace and login that
started it: a callback opened by anyone else connects nothing, anywhere."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.xero.xero_support import local_path, totals
from xeroapp.extensions import db
from xeroapp.models.xero import XeroConnection

BEA_EMAIL, BEA_PASSWORD = "bea@example.com", "another horse"


def connections(app) -> list[XeroConnection]:
    with app.app_context():
        return list(db.session.scalars(sa.select(XeroConnection)))


@pytest.fixture
def bea(records) -> None:
    """A second workspace, Beta Ltd, with its own user, who has not logged in anywhere yet."""
    records.workspace("Beta Ltd", BEA_EMAIL, BEA_PASSWORD)


@pytest.mark.parametrize("next_person", ["another user", "the same user again"])
def test_a_callback_after_logout_and_login_connects_nothing(client, auth, connector, bea,
                                                           live_app, live_sandbox, next_person):
    """Ada presses Connect and consents at Xero, then logs out; the next person to log in in
    the same browser opens the callback."""
    callback = connector.callback_url()
    auth.logout()
    if next_person == "another user":
        auth.login(BEA_EMAIL, BEA_PASSWORD)
    else:
        auth.login()

    answer = client.get(local_path(callback), follow_redirects=True)

    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "does not match a connection started here" in page and "Nothing was stored" in page
    assert connections(live_app) == []  # neither Bea's workspace nor Ada's
    assert totals(live_sandbox.url).get("token.authorization_code", 0) == 0  # code never used
    assert "Not connected" in client.get("/settings/integrations/").get_data(as_text=True)


def test_an_attempt_carried_into_another_persons_session_is_refused(
        client, connector, bea, live_app, live_sandbox):
    """Even if Ada's attempt (what Authlib keeps in the session) reached Bea's session, Bea
    cannot finish it: the attempt says who started it."""
    callback = connector.callback_url()
    with client.session_transaction() as ada_session:
        attempt = {key: value for key, value in ada_session.items() if key.startswith("_state_")}
    assert attempt
    other_browser = live_app.test_client()
    assert other_browser.post("/auth/login", data={"email": BEA_EMAIL,
                                                   "password": BEA_PASSWORD}).status_code == 302
    with other_browser.session_transaction() as bea_session:
        bea_session.update(attempt)

    answer = other_browser.get(local_path(callback), follow_redirects=True)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "is for a connection started by someone else" in page
    assert "nothing was connected" in page
    assert connections(live_app) == []
    assert totals(live_sandbox.url).get("token.authorization_code", 0) == 0
    # Refused for good: the attempt is gone from Bea's session.
    again = other_browser.get(local_path(callback), follow_redirects=True)
    assert "does not match a connection started here" in again.get_data(as_text=True)
    assert connections(live_app) == []


def test_the_person_who_pressed_connect_still_connects(client, connector, live_app):
    answer = connector.connect()
    assert answer.status_code == 302
    assert len(connections(live_app)) == 1
