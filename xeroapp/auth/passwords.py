"""Password rules for a new password, and checking one at log-in without a timing tell."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import DataRequired, Length, ValidationError

from xeroapp.models import User
from xeroapp.models.workspace import find_user_by_email

MIN_LENGTH = 8
MAX_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
COMMON_MESSAGE = ("This is one of the most common passwords, the first ones an attacker tries. "
                  "Choose another.")
_DUMMY_HASH_KEY = "xeroapp.dummy_password_hash"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.casefold() in common_passwords()


class NotCommon:
    """WTForms validator: refuses the passwords attackers try first, in any capitalisation."""

    def __call__(self, form, field) -> None:
        # One problem at a time: a too-short password is not also called common.
        if field.data and not field.errors and is_common(field.data):
            raise ValidationError(COMMON_MESSAGE)


def new_password_validators() -> list:
    """The rules of every password a user chooses: at sign-up and on any change of password."""
    return [
        DataRequired("Choose a password."),
        Length(min=MIN_LENGTH, message=f"Use at least {MIN_LENGTH} characters."),
        Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
        NotCommon(),
    ]


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, else None.

    An unknown email costs the same as a wrong password: its password is checked against a
    stand-in hash made the way real ones are, so the time of the answer does not tell which
    addresses have an account.
    """
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else _dummy_hash()
    if check_password_hash(stored, password) and user is not None:
        return user
    return None


def _dummy_hash() -> str:
    """A hash of a random secret nobody knows, made with the app's hash method (one per app:
    making it costs as much as checking it)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    cached = current_app.extensions.get(_DUMMY_HASH_KEY)
    if cached is None or cached[0] != method:
        cached = (method, generate_password_hash(secrets.token_urlsafe(32), method=method))
        current_app.extensions[_DUMMY_HASH_KEY] = cached
    return cached[1]
