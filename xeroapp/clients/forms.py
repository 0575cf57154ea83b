"""The client form: what Xero's Contact holds, with Xero's own length limits.

The limits are the Contact schema's maxLength values, so a client saved here is never refused
by Xero for length. Names must be unique among the workspace's clients because Xero requires
unique names among active contacts: two "Bayside Café" clients would meet one Xero contact.
"""
from __future__ import annotations

from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from xeroapp.clients.queries import find_client_by_name
from xeroapp.limits import NOTES_MAX
from xeroapp.stale import VersionedForm


def _max(limit: int, what: str = "") -> Length:
    suffix = f" ({what})" if what else ""
    return Length(max=limit, message=f"Use at most {limit:,} characters{suffix}.")


def _optional(limit: int, what: str = "Xero's limit") -> list:
    return [Optional(), _max(limit, what)]


class ClientForm(VersionedForm):
    name = StringField("Name", validators=[
        DataRequired("Enter the client's name."), _max(255, "Xero's limit"),
    ], description="The business or person you invoice; becomes the contact's name in Xero.")
    email = EmailField("Email", validators=[
        Optional(), _max(255, "Xero's limit"),
        Email("Enter a valid email address, like accounts@example.com.",
              check_deliverability=False),
    ])
    phone = StringField("Phone", validators=_optional(50))
    first_name = StringField("First name", validators=_optional(255))
    last_name = StringField("Last name", validators=_optional(255))
    address_line1 = StringField("Address line 1", validators=_optional(500))
    address_line2 = StringField("Address line 2", validators=_optional(500))
    city = StringField("Town or city", validators=_optional(255))
    region = StringField("Region", validators=_optional(255))
    postal_code = StringField("Postcode", validators=_optional(50))
    country = StringField("Country", validators=_optional(50))
    account_number = StringField("Account number", validators=_optional(50),
                                 description="Your reference for this client (shown in Xero).")
    tax_number = StringField("Tax number", validators=_optional(50),
                             description="GST, ABN or VAT number.")
    notes = TextAreaField("Notes", validators=[Optional(), _max(NOTES_MAX)],
                          description="Only for you; not sent to Xero.")

    TEXT_FIELDS = ("name", "email", "phone", "first_name", "last_name", "address_line1",
                   "address_line2", "city", "region", "postal_code", "country",
                   "account_number", "tax_number", "notes")

    def __init__(self, *args, workspace_id: int, client_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._workspace_id = workspace_id
        self._client_id = client_id

    def validate_name(self, field) -> None:
        other = find_client_by_name(self._workspace_id, field.data or "", exclude_id=self._client_id)
        if other is not None:
            raise ValidationError(
                f"Another client is already called “{other.name}”. Xero needs every contact "
                "name to be unique, so add something that tells them apart (a branch or town)."
            )

    def cleaned(self) -> dict[str, str | None]:
        """The posted values, trimmed, with blanks stored as NULL."""
        values = {}
        for name in self.TEXT_FIELDS:
            raw = getattr(self, name).data
            text = raw.strip() if isinstance(raw, str) else raw
            values[name] = text or None
        return values
