"""Sign-up and log-in forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from xeroapp.auth.passwords import MAX_LENGTH as PASSWORD_MAX
from xeroapp.auth.passwords import new_password_validators


class SignupForm(FlaskForm):
    workspace_name = StringField(
        "Business name",
        validators=[DataRequired("Enter the name of your business."),
                    Length(max=120, message="Use at most 120 characters.")],
        description="The name of your workspace, usually your company's name.",
    )
    name = StringField("Your name", validators=[DataRequired("Enter your name."),
                                                Length(max=120, message="Use at most 120 characters.")])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter a valid email address, like name@example.com.", check_deliverability=False),
            Length(max=254, message="Use at most 254 characters."),
        ],
    )
    password = PasswordField("Password", validators=new_password_validators())
    confirm = PasswordField(
        "Confirm password",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
    # Filled by static/app.js with the browser's IANA zone. Not validated: the view keeps a
    # known zone and uses UTC for anything else (no JavaScript, an odd browser), since the
    # user cannot fix a field they do not see. Settings can change it later.
    time_zone = HiddenField()
    # Whether the email is taken is not a validation rule: the view answers it only after the
    # sign-up throttle has counted the attempt (see views.EMAIL_UNAVAILABLE).


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."),
                                            Length(max=254, message="Use at most 254 characters.")])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password."),
        Length(max=PASSWORD_MAX, message=f"Use at most {PASSWORD_MAX} characters."),
    ])
