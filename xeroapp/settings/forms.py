"""Forms of Settings: the workspace, its document numbers, its invoices, its purchase orders."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from xeroapp.currencies import CURRENCIES
from xeroapp.document_numbers import NEXT_MAX, PREFIX_MAX
from xeroapp.models.workspace import INVOICE_XERO_STATUSES, PO_XERO_STATUS_NAMES
from xeroapp.stale import VersionedForm
from xeroapp.timezones import sorted_zones


class WorkspaceForm(VersionedForm):
    name = StringField(
        "Business name",
        validators=[DataRequired("Enter the name of your business."),
                    Length(max=120, message="Use at most 120 characters.")],
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


NUMBERING_CHOICES = [
    SelectChoice("xero", "Let Xero number them: new invoices and purchase orders have no number "
                         "here until they are sent; Xero gives the next number of the "
                         "organisation's own sequence, and it shows here after that."),
    SelectChoice("own", "Our own numbering: new ones get the prefix and next number below "
                        "(on connecting, the next numbers are raised past the highest the "
                        "organisation holds)."),
]
PREFIX_RULE = Regexp(r"^[A-Za-z0-9._/#-]*$", message=(
    "Use letters, digits and - _ / . # only, without spaces (or leave it empty for numbers "
    "alone)."))


NEXT_RANGE = f"Enter a whole number from 1 to {NEXT_MAX:,}."


def _next_in_range(form, field) -> None:
    if field.data is not None and not 1 <= field.data <= NEXT_MAX:
        raise ValidationError(NEXT_RANGE)


NEXT_RULES = [InputRequired("Enter the next number, like 1."), _next_in_range]


class NextNumberField(IntegerField):
    """A whole number, refused in plain words when it is not one (1.5, "ten", 1e3). A text
    input (numeric keyboard on phones): a number input would let browsers drop what was
    typed instead of showing it back with the message."""

    widget = TextInput()

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        if not text.isascii() or not text.isdigit():
            self.data = None
            raise ValueError("Enter the next number as digits only, like 1 or 1042.")
        if len(text.lstrip("0")) > len(str(NEXT_MAX)):  # also keeps int() within its digit limit
            self.data = None
            raise ValueError(NEXT_RANGE)
        self.data = int(text)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _prefix(label: str) -> StringField:
    return StringField(label, filters=[_strip], validators=[
        Length(max=PREFIX_MAX, message=f"Use at most {PREFIX_MAX} characters (Xero's limit)."),
        PREFIX_RULE])


class NumberingForm(VersionedForm):
    """Settings > Document numbers: how new invoice and purchase order numbers are made."""

    document_numbering = RadioField("New invoices and purchase orders",
                                    choices=NUMBERING_CHOICES, validate_choice=True,
                                    invalid_choice_message="Choose how to number them.",
                                    validators=[InputRequired("Choose how to number them.")])
    invoice_number_prefix = _prefix("Invoice prefix")
    invoice_number_next = NextNumberField("Next invoice number", validators=NEXT_RULES,
                                          render_kw={"inputmode": "numeric"})
    po_number_prefix = _prefix("Purchase order prefix")
    po_number_next = NextNumberField("Next purchase order number", validators=NEXT_RULES,
                                     render_kw={"inputmode": "numeric"})


class PurchaseOrderSettingsForm(VersionedForm):
    po_save_to_xero_default = BooleanField(
        '"Save to Xero" ticked on new purchase orders',
        description="When ticked, saving a new purchase order also sends it to Xero.",
    )
    po_xero_status = SelectField(
        "Status of purchase orders created in Xero",
        choices=[SelectChoice(status, name) for status, name in PO_XERO_STATUS_NAMES.items()],
        validate_choice=True,
        description="Draft keeps them editable in Xero; Approved makes them ready to send.",
    )


# What each status a new invoice may get means in Xero.
INVOICE_STATUS_MEANINGS = {
    "DRAFT": "an accountant reviews and approves them in Xero",
    "SUBMITTED": "submitted for someone to approve in Xero",
    "AUTHORISED": "approved: ready to send to the customer and to be paid",
}


class InvoiceSettingsForm(VersionedForm):
    invoice_xero_status = RadioField(
        "Status of invoices created in Xero",
        choices=[SelectChoice(status, f"{name}: {INVOICE_STATUS_MEANINGS[status]}")
                 for status, name in INVOICE_XERO_STATUSES.items()],
        validate_choice=True,
        invalid_choice_message="Choose one of the statuses listed.",
        validators=[InputRequired("Choose the status new invoices get in Xero.")],
        description="Only new invoices get this status. Updating an invoice never changes its "
                    "status in Xero.",
    )
