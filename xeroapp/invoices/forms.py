"""The invoice form and its line rows (the shape of every document form: xeroapp.documents).

Choices that depend on the workspace (clients, published products, tax rates) are set through
``InvoiceForm.configure`` (xeroapp.invoices.editing builds them, keeping values already saved
on the invoice valid). Only those choices validate, so a posted id of another workspace's
client or of an unpublished product is refused.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from wtforms import Form, FormField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from xeroapp.documents.forms import DocumentForm, number_unless_xero_numbers
from xeroapp.documents.lines import LineRows
from xeroapp.documents.totals import LineFigures
from xeroapp.invoices.numbering import number_taken
from xeroapp.models.documents import AMOUNT_TYPES
from xeroapp.products.fields import DecimalText, MoneyField, QuantityField
from xeroapp.settings.forms import CURRENCIES

Choices = list[SelectChoice]


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

    def figures(self) -> LineFigures:
        """What the totals need, read leniently: what cannot be read counts 0."""
        return LineFigures(quantity=self.quantity.data, unit_price=self.unit_price.data,
                           discount_rate=self.discount_rate.data,
                           tax_type=self.tax_type.data or None)


class InvoiceForm(DocumentForm):
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

    number_missing = "Enter an invoice number."
    number_taken_message = ("Another invoice already has this number. Invoice numbers must be "
                            "unique (Xero requires it).")

    def configure(self, *, workspace_id: int, invoice_id: int | None, clients: Choices,
                  products: Choices, tax_rates: Choices, numbered_by_xero: bool = False) -> None:
        self._workspace_id, self._invoice_id = workspace_id, invoice_id
        self.client_id.choices = [SelectChoice("", "Choose a client…"), *clients]
        self.configure_numbering(numbered_by_xero)
        self.configure_lines(products, tax_rates)

    def number_in_use(self, number: str) -> bool:
        return number_taken(self._workspace_id, number, exclude_id=self._invoice_id)

    def validate_due_date(self, field) -> None:
        issued = self.issue_date.data
        if field.data and isinstance(issued, date) and field.data < issued:
            raise ValidationError("The due date cannot be before the issue date.")
