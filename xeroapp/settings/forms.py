"""Workspace settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from xeroapp.timezones import sorted_zones

# ISO 4217 codes offered as a workspace's default currency (all are Xero-supported).
CURRENCIES = {
    "AUD": "Australian dollar",
    "CAD": "Canadian dollar",
    "CHF": "Swiss franc",
    "CNY": "Chinese yuan",
    "DKK": "Danish krone",
    "EUR": "Euro",
    "FJD": "Fijian dollar",
    "GBP": "British pound",
    "HKD": "Hong Kong dollar",
    "INR": "Indian rupee",
    "JPY": "Japanese yen",
    "MYR": "Malaysian ringgit",
    "NOK": "Norwegian krone",
    "NZD": "New Zealand dollar",
    "PHP": "Philippine peso",
    "SEK": "Swedish krona",
    "SGD": "Singapore dollar",
    "THB": "Thai baht",
    "USD": "US dollar",
    "ZAR": "South African rand",
}


class WorkspaceForm(FlaskForm):
    name = StringField(
        "Business name",
        validators=[DataRequired("Enter the name of your business."), Length(max=120)],
    )
    default_currency = SelectField(
        "Default currency",
        choices=[SelectChoice(code, f"{code} – {label}") for code, label in CURRENCIES.items()],
        validate_choice=True,
        description="New invoices and purchase orders use this currency.",
    )
    # Choices from a callable: the tz database is read when a form is first built, not at import.
    time_zone = SelectField(
        "Time zone",
        choices=lambda: [SelectChoice(name, name.replace("_", " ")) for name in sorted_zones()],
        validate_choice=True,
        invalid_choice_message="Unknown time zone: choose one from the list.",
        description="Times on every page are shown in this zone.",
    )
