"""The person's own account: changing the password."""
from __future__ import annotations

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from xeroapp.auth.passwords import new_password_validators


class PasswordChangeForm(FlaskForm):
    # autocomplete: password managers fill the current one and offer to save the new one.
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"})
    # The same rules as choosing a password at sign-up (length, not a common password).
    password = PasswordField("New password", validators=new_password_validators(),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_current_password(self, field) -> None:
        if not current_user.check_password(field.data):
            raise ValidationError("That is not your current password.")
