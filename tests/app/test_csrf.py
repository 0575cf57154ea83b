"""Every state-changing request needs the CSRF token: as a form field or htmx's header."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import User

SIGNUP = {"workspace_name": "Acme Ltd", "name": "Ada", "email": "ada@example.com",
          "password": "correct horse", "confirm": "correct horse"}


def test_form_post_without_token_is_refused_with_a_friendly_page(app, client):
    response = client.post("/auth/signup", data=SIGNUP, csrf=False)

    assert response.status_code == 400
    assert b"Your form expired or was sent from somewhere else" in response.data
    assert b"<nav" in response.data  # the full layout, not a bare error or a traceback
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_form_post_with_a_wrong_token_is_refused(client):
    response = client.post("/auth/signup", data=SIGNUP, csrf=False,
                           headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400


def test_form_post_with_the_token_as_a_field_passes(client):
    client.get("/auth/signup")
    response = client.post("/auth/signup", data=SIGNUP | {"csrf_token": client.csrf_token()},
                           csrf=False)
    assert response.status_code == 302


def test_htmx_post_without_header_gets_a_message_fragment(client, auth):
    auth.signup()

    response = client.post("/auth/logout", headers={"HX-Request": "true"}, csrf=False)

    assert response.status_code == 400
    assert b"Your form expired" in response.data
    assert b"<html" not in response.data and b'class="flash flash-error"' in response.data
    assert client.get("/").status_code == 200  # still logged in


def test_htmx_post_with_the_header_passes(client, auth):
    auth.signup()

    response = client.post("/auth/logout", headers={"HX-Request": "true",
                                                    "X-CSRFToken": client.csrf_token()}, csrf=False)

    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out


def test_every_page_sends_the_token_header_with_htmx(client, auth):
    auth.signup()
    body = client.get("/").get_data(as_text=True)
    assert "<body hx-headers='{\"X-CSRFToken\": \"" in body
