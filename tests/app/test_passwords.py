"""Password rules (xeroapp/auth/passwords.py): common passwords refused, and a log-in that does
the same work for an unknown email as for a known one."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField

from xeroapp.auth import passwords
from xeroapp.extensions import db
from xeroapp.models import User

COMMON = b"This is one of the most common passwords"


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


@pytest.mark.parametrize("password", ["password1", "PassWord123", "Summer2024!", "qwerty123",
                                      "P@ssw0rd", "12345678", "iloveyou", "1q2w3e4r5t",
                                      "Auckland2025"])
def test_a_common_password_is_refused_at_sign_up_in_any_capitalisation(app, auth, password):
    response = auth.signup(password=password, confirm=password)

    assert response.status_code == 422 and COMMON in response.data
    assert user_count(app) == 0


def test_a_short_password_is_told_its_length_only(app, auth):
    response = auth.signup(password="abc123", confirm="abc123")

    assert b"Use at least 8 characters." in response.data and COMMON not in response.data
    assert user_count(app) == 0


def test_an_uncommon_password_is_accepted(app, auth):
    response = auth.signup(password="Tui sings at dawn", confirm="Tui sings at dawn")

    assert response.status_code == 302 and user_count(app) == 1


def test_the_list_is_large_and_lower_case():
    common = passwords.common_passwords()

    assert len(common) > 10_000
    assert all(entry == entry.casefold() and entry.strip() == entry for entry in common)
    assert not any(entry.startswith("#") for entry in common)


class ChangePasswordForm(FlaskForm):
    """What a password change form declares: the same rules as sign-up."""

    password = PasswordField("New password", validators=passwords.new_password_validators())


def test_any_form_with_the_new_password_rules_refuses_common_ones(app):
    with app.test_request_context(method="POST", data={"password": "LetMeIn123"}):
        form = ChangePasswordForm(meta={"csrf": False})
        assert not form.validate()
        assert form.password.errors == [passwords.COMMON_MESSAGE]
    with app.test_request_context(method="POST", data={"password": "kea on the roof"}):
        assert ChangePasswordForm(meta={"csrf": False}).validate()


# -- no timing tell at log-in -----------------------------------------------------------------
@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The method ("pbkdf2:sha256:1000") of every stored hash a log-in checks a password
    against, counted where the log-in calls werkzeug."""
    checked: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$")[0])
        return check_password_hash(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


def test_an_unknown_email_costs_the_same_hash_check_as_a_wrong_password(client, auth, hash_checks):
    auth.signup()
    auth.logout()

    auth.login(password="wrong password")
    known = list(hash_checks)
    hash_checks.clear()
    auth.login(email="nobody@example.com", password="wrong password")
    unknown = list(hash_checks)

    assert len(known) == len(unknown) == 1
    assert known == unknown == ["pbkdf2:sha256:1000"]  # the app's method, so the same cost

