"""The invoice form and its line rows.

Lines are a FieldList of ``LineForm`` rows named ``lines-<n>-<field>``, numbered 0..n-1 on every
render (FieldList renumbers posted rows; removing a row renumbers the rest). Rows the user left
completely empty are dropped before validation, so an unused spare row never blocks a save.

Choices that depend on the workspace (clients, published products, tax rates) are set by the
caller through ``InvoiceForm.configure`` (xeroapp.invoices.editing builds them, keeping values
already saved on the invoice valid). Only those choices validate, so a posted id of another
workspace's client or of an unpublished product is refused.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from wtforms import FieldList, Form, FormField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from xeroapp.ids import parse_id, row_or_400
from xeroapp.models.documents import AMOUNT_TYPES
from xeroapp.products.fields import DecimalText, MoneyField, QuantityField
from xeroapp.settings.forms import CURRENCIES
from xeroapp.stale import VersionedForm

Choices = list[SelectChoice]


XERO_NUMBERS_HINT = ("Leave it empty: Xero gives the next number of its own sequence when "
                     "this is sent, and it shows here after that.")


def number_unless_xero_numbers(form, field) -> None:
    """A number is needed, unless the workspace lets Xero number new documents (the form's
    ``number_optional``): then an empty field means "Xero numbers it when sent"."""
    if (field.data or "").strip():
        return
    if getattr(form, "number_optional", False):
        raise StopValidation()
    raise StopValidation(form.number_missing)


number_unless_xero_numbers.field_flags = {"required": True}  # unless the form says optional


LINE_ID_UNREADABLE = ("A line on this form carries an id that cannot be one, so nothing was "
                      "saved. Reload the page and make the change again.")


class LineRows(FieldList):
    """A FieldList whose row numbers are read by xeroapp.ids: a posted row number that
    cannot be one is refused (400), as an unreadable id is.

    WTForms' own reading takes any row part ``str.isdigit()`` accepts, and ``int()`` then
    fails on "lines-²-description" or on a row number of 5,000 digits.
    """

    def _extract_indices(self, prefix, formdata):
        start = prefix + self._field_separator
        for key in formdata:
            if key.startswith(start):
                yield row_or_400(key[len(start):].split(self._field_separator, 1)[0])


def unreadable_line_ids(posted: list[str | None]) -> bool:
    """Whether a posted line id cannot be an id (blank is a new line; an id that is not one of
    the document's lines makes a new line too, as saving only ever edits its own lines)."""
    return any(text and parse_id(text) is None for text in posted)


class PercentField(DecimalText):
    min_places = 0
    limit = Decimal("1000")
    invalid_message = "Enter a percentage, like 10."


def positive(form, field) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError("Enter a quantity above 0.")


def two_places(form, field) -> None:
    if field.data is not None and field.data.as_tuple().exponent < -2:
        raise ValidationError("Use at most 2 decimal places.")


class LineForm(Form):
    line_id = HiddenField()
    product_id = SelectField("Product", choices=[], validate_choice=True)
    description = StringField("Description", validators=[
        DataRequired("Enter a description."),
        Length(max=4000, message="Use at most 4,000 characters (Xero's limit)."),
    ])
    quantity = QuantityField("Qty", validators=[InputRequired("Enter a quantity."), positive])
    unit_price = MoneyField("Unit price", validators=[
        InputRequired("Enter a unit price (0 or more)."),
        NumberRange(min=0, message="The unit price cannot be negative."),
    ])
    discount_rate = PercentField("Disc. %", validators=[
        Optional(), NumberRange(min=0, max=100, message="Enter a discount from 0 to 100."),
        two_places,
    ])
    account_code = StringField("Account", validators=[
        Optional(), Length(max=10, message="Xero account codes have at most 10 characters."),
        Regexp(r"^[A-Za-z0-9]+$", message="Use letters and digits only, like 200."),
    ])
    tax_type = SelectField("Tax rate", choices=[], validate_choice=True)

    CONTENT_FIELDS = ("product_id", "description", "unit_price", "discount_rate", "account_code",
                      "tax_type")

    def is_blank(self) -> bool:
        """Nothing typed: no content, and the quantity still empty or the default 1."""
        if any((getattr(self, name).raw_data or [""])[0].strip() for name in self.CONTENT_FIELDS):
            return False
        return (self.quantity.raw_data or [""])[0].strip() in ("", "1")

    def configure(self, products: Choices, tax_rates: Choices) -> None:
        self.product_id.choices = products
        self.tax_type.choices = tax_rates


class InvoiceForm(VersionedForm):
    number = StringField("Invoice number", validators=[
        number_unless_xero_numbers,
        Length(max=255, message="Use at most 255 characters (Xero's limit)."),
    ])
    client_id = SelectField("Client", choices=[], validate_choice=True,
                            validators=[DataRequired("Choose a client.")])
    issue_date = DateField("Issue date", validators=[InputRequired("Enter the issue date.")])
    due_date = DateField("Due date", validators=[InputRequired("Enter the due date.")])
    reference = StringField("Reference", validators=[
        Optional(), Length(max=255, message="Use at most 255 characters."),
    ])
    currency = SelectField("Currency", choices=[SelectChoice(code, code) for code in sorted(CURRENCIES)],
                           validate_choice=True)
    amount_type = SelectField("Amounts are",
                              choices=[SelectChoice(value, label) for value, label in AMOUNT_TYPES.items()],
                              validate_choice=True)
    lines = LineRows(FormField(LineForm), min_entries=1)

    number_optional = False
    number_missing = "Enter an invoice number."

    def configure(self, *, clients: Choices, products: Choices, tax_rates: Choices,
                  numbered_by_xero: bool = False) -> None:
        self.client_id.choices = [SelectChoice("", "Choose a client…"), *clients]
        self.number_optional = numbered_by_xero
        if numbered_by_xero:
            self.number.description = XERO_NUMBERS_HINT
            self.number.flags.required = False
        self._products, self._tax_rates = products, tax_rates
        for entry in self.lines:
            entry.form.configure(products, tax_rates)

    def drop_blank_lines(self) -> None:
        self.remove_lines([entry for entry in self.lines.entries if entry.form.is_blank()])

    def remove_lines(self, entries: list) -> None:
        """Remove rows and renumber the rest 0..n-1, as FieldList numbers posted rows: the page's
        row numbers then always match the server's (live totals address rows by number)."""
        self.lines.entries = [entry for entry in self.lines.entries if entry not in entries]
        self.lines._compact_indices()  # wtforms' own renumbering (FieldList.process uses it)

    def validate_lines(self, field) -> None:
        if not field.entries:
            raise ValidationError("Add at least one line.")
        if unreadable_line_ids([entry.form.line_id.data for entry in field.entries]):
            raise ValidationError(LINE_ID_UNREADABLE)

    def validate_due_date(self, field) -> None:
        issued = self.issue_date.data
        if field.data and isinstance(issued, date) and field.data < issued:
            raise ValidationError("The due date cannot be before the issue date.")

    def add_line(self) -> None:
        """A new empty row (quantity 1), numbered after the highest row on the page."""
        self.lines.append_entry({"quantity": 1})
        self.lines.entries[-1].form.configure(self._products, self._tax_rates)

    def ensure_a_row(self) -> None:
        """Re-rendering with no rows left (all blank or removed): give the user one to type in."""
        if not self.lines.entries:
            self.add_line()
