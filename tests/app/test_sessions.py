"""Sessions end: at log-out (copies of the cookie too), everywhere on request, on a password
change, after a while without activity and after a fixed time in any case; and logging in
starts from an empty session."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_login.utils import encode_cookie

from xeroapp import login_sessions
from xeroapp.config import Config
from xeroapp.extensions import db
from xeroapp.models import LoginSession, User

ENDED = "Your session has ended. Please log in again."


class Clock:
    """The time login_sessions sees, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(login_sessions, "utcnow", fake)
    return fake


def logged_in(browser) -> bool:
    answer = browser.get("/")
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


def second_browser(app, email: str = "ada@example.com", password: str = "correct horse"):
    browser = app.test_client()
    assert browser.post("/auth/login", data={"email": email, "password": password}).status_code == 302
    return browser


def copy_of_cookie(app, browser):
    """Another browser holding a copy of ``browser``'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def password_hash(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.password_hash))


def test_defaults_are_two_hours_idle_and_fourteen_days_in_all():
    assert Config.SESSION_IDLE_LIFETIME == 2 * 60 * 60
    assert Config.SESSION_ABSOLUTE_LIFETIME == 14 * 24 * 60 * 60


# --- log in and log out ------------------------------------------------------------------

def test_logging_in_starts_from_an_empty_session(client, auth):
    auth.signup()
    auth.logout()
    with client.session_transaction() as session:
        session["left_behind"] = "before logging in"
    auth.login()
    with client.session_transaction() as session:
        assert "left_behind" not in session


def test_logging_out_empties_the_session(client, auth):
    auth.signup()
    with client.session_transaction() as session:
        session["left_behind"] = "by Ada"
    auth.logout()
    with client.session_transaction() as session:
        assert "left_behind" not in session


def test_a_csrf_token_from_before_login_is_refused_after_it(client, auth):
    auth.signup()
    auth.logout()
    client.get("/auth/login")
    before_login = client.csrf_token()
    auth.login()

    refused = client.post("/auth/logout", headers={"X-CSRFToken": before_login}, csrf=False)

    assert refused.status_code == 400
    assert b"Your form expired" in refused.data
    assert logged_in(client)


def test_a_cookie_copied_before_logout_does_not_work_after_it(app, client, auth):
    auth.signup()
    thief = copy_of_cookie(app, client)
    assert logged_in(thief)  # the copy works while the login lasts

    auth.logout()

    answer = thief.get("/clients/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/login")
    assert ENDED in thief.get(answer.headers["Location"]).get_data(as_text=True)
    assert not logged_in(client)


def test_logging_out_in_one_browser_leaves_the_others_logged_in(app, client, auth):
    auth.signup()
    laptop = second_browser(app)
    auth.logout()
    assert logged_in(laptop)
    assert not logged_in(client)


def test_logout_says_so(client, auth):
    auth.signup()
    page = auth.logout()
    assert page.headers["Location"] == "/auth/login"
    assert "You have been logged out." in client.get("/auth/login").get_data(as_text=True)


def test_a_remember_me_cookie_alone_logs_nobody_in(app, client, auth):
    """We never set one, and one made with our secret (by an older version, say) does not
    bypass the login's row and lifetimes."""
    auth.signup()
    auth.logout()
    with app.test_request_context():
        user_id = db.session.scalar(sa.select(User.id))
        remember = encode_cookie(str(user_id))
    client.set_cookie("remember_token", remember)
    assert not logged_in(client)


# --- log out everywhere -------------------------------------------------------------------

def test_the_account_menu_offers_log_out_everywhere_as_a_post(client, auth):
    auth.signup()
    page = client.get("/").get_data(as_text=True)
    menu = page[page.index('class="usermenu-panel"'):page.index("</details>")]
    assert re.search(r'<form method="post" action="/account/logout-everywhere">\s*'
                     r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
                     r'<button type="submit" class="linklike">Log out everywhere</button>', menu)


def test_log_out_everywhere_ends_every_session_of_the_user(app, client, auth, records):
    auth.signup()
    laptop = second_browser(app)
    thief = copy_of_cookie(app, laptop)
    records.workspace(email="bea@example.com", password="another horse")
    bea = second_browser(app, "bea@example.com", "another horse")

    answer = client.post("/account/logout-everywhere", follow_redirects=True)

    assert answer.status_code == 200
    assert "You have been logged out everywhere." in answer.get_data(as_text=True)
    assert not logged_in(client) and not logged_in(laptop) and not logged_in(thief)
    assert logged_in(bea)  # another user's sessions are theirs
    assert logged_in(second_browser(app))  # and logging in again works


def test_log_out_everywhere_needs_the_csrf_token(app, client, auth):
    auth.signup()
    laptop = second_browser(app)
    refused = client.post("/account/logout-everywhere", csrf=False)
    assert refused.status_code == 400
    assert client.get("/account/logout-everywhere").status_code == 405
    assert logged_in(client) and logged_in(laptop)


# --- password change ----------------------------------------------------------------------

def change_password(browser, current: str = "correct horse", new: str = "battery staple",
                    confirm: str | None = None):
    return browser.post("/account/", data={"current_password": current, "password": new,
                                           "confirm": new if confirm is None else confirm})


def test_the_account_page_is_in_the_menu(client, auth):
    auth.signup()
    assert 'href="/account/"' in client.get("/").get_data(as_text=True)
    page = client.get("/account/").get_data(as_text=True)
    assert "Change password" in page and "Current password" in page


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, auth):
    auth.signup()
    laptop = second_browser(app)
    copy_of_this_one = copy_of_cookie(app, client)

    answer = change_password(client)

    assert answer.status_code == 302 and answer.headers["Location"] == "/account/"
    assert "Password changed" in client.get("/account/").get_data(as_text=True)
    assert logged_in(client)
    assert not logged_in(laptop)
    assert not logged_in(copy_of_this_one)
    assert auth.logout().status_code == 302
    assert b"Email or password is incorrect." in auth.login().data  # the old one
    assert auth.login(password="battery staple").status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"current": "wrong horse"}, "That is not your current password."),
    ({"current": ""}, "Enter your current password."),
    ({"new": "short"}, "Use at least 8 characters."),
    ({"confirm": "battery stable"}, "The two passwords do not match."),
    ({"new": "Password123"}, "one of the most common passwords"),
], ids=["wrong-current", "no-current", "too-short", "mismatch", "common"])
def test_a_refused_password_change_changes_nothing(app, client, auth, fields, message):
    auth.signup()
    laptop = second_browser(app)
    before = password_hash(app)

    answer = change_password(client, **fields)

    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert password_hash(app) == before
    assert logged_in(client) and logged_in(laptop)


def test_guessing_the_current_password_is_throttled_like_a_login(app, client, auth):
    auth.signup()
    before = password_hash(app)
    for _ in range(5):
        assert change_password(client, current="wrong horse").status_code == 422

    answer = change_password(client)  # the right one, too late

    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    assert "Too many attempts. Try again in" in answer.get_data(as_text=True)
    assert password_hash(app) == before


def test_a_right_current_password_does_not_use_up_attempts(app, client, auth):
    auth.signup()
    for _ in range(6):  # right current password, new one refused
        assert change_password(client, new="short").status_code == 422
    assert change_password(client).status_code == 302


# --- lifetimes ----------------------------------------------------------------------------

def test_a_session_ends_after_two_hours_without_a_request(client, auth, clock):
    auth.signup()
    clock.advance(hours=1, minutes=59)
    assert logged_in(client)  # a request restarts the idle time
    clock.advance(hours=1, minutes=59)
    assert logged_in(client)

    clock.advance(hours=2)

    answer = client.get("/invoices/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/login")
    assert ENDED in client.get(answer.headers["Location"]).get_data(as_text=True)
    clock.advance(seconds=1)
    assert not logged_in(client)  # the session was emptied, not just refused once


def test_an_idle_session_is_not_revived_by_an_older_copy(app, client, auth, clock):
    auth.signup()
    thief = copy_of_cookie(app, client)
    clock.advance(hours=2)
    assert not logged_in(thief)


def test_an_htmx_request_after_the_end_is_sent_to_the_login_page(client, auth, clock):
    auth.signup()
    clock.advance(hours=3)
    answer = client.get("/clients/", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"].startswith("/auth/login")


def test_a_form_sent_after_the_end_is_sent_to_the_login_page_not_refused_as_forged(app, client,
                                                                                  auth, clock):
    auth.signup()
    clock.advance(hours=3)
    answer = client.post("/clients/new", data={"name": "Bayside Café"})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/login")
    assert ENDED in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_session_ends_at_its_absolute_lifetime_however_active(app, client, auth, clock):
    app.config.update(SESSION_IDLE_LIFETIME=2 * 60 * 60, SESSION_ABSOLUTE_LIFETIME=10 * 60 * 60)
    auth.signup()
    for _ in range(9):
        clock.advance(hours=1)
        assert logged_in(client)
    clock.advance(minutes=59, seconds=59)
    assert logged_in(client)

    clock.advance(seconds=1)

    assert not logged_in(client)
    assert ENDED in client.get("/auth/login").get_data(as_text=True)
    assert auth.login().status_code == 302 and logged_in(client)  # a new login starts afresh


def test_lifetimes_come_from_the_settings(app, client, auth, clock):
    app.config.update(SESSION_IDLE_LIFETIME=15 * 60)
    auth.signup()
    clock.advance(minutes=14)
    assert logged_in(client)
    clock.advance(minutes=15)
    assert not logged_in(client)


def test_rows_of_sessions_past_their_lifetime_are_removed_at_the_next_login(app, client, auth,
                                                                          clock):
    auth.signup()
    second_browser(app)
    clock.advance(days=15)
    auth.login()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 1
