"""The purchase order form: header fields, delivery details and its line rows (the shape of
every document form: xeroapp.documents). Limits are Xero's (DeliveryInstructions 500) or our
columns'.

Choices that depend on the workspace (suppliers, products, tax rates) are set through
``PurchaseOrderForm.configure`` (xeroapp.purchase_orders.editing builds them).
"""
from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from xeroapp.documents.forms import DocumentForm, number_unless_xero_numbers
from xeroapp.documents.lines import LineRows
from xeroapp.documents.totals import LineFigures
from xeroapp.models import Product, Supplier
from xeroapp.models.documents import AMOUNT_TYPES, PO_STATUSES
from xeroapp.products.fields import MoneyField, QuantityField
from xeroapp.purchase_orders.numbering import number_taken

DELIVERY_INSTRUCTIONS_MAX = 500  # Xero: "A free text field for instructions (500 characters max)"
LINE_DESCRIPTION_MAX = 4000  # Xero refuses a line item's Description over 4,000 characters
SAVE_TO_XERO_HELP = ("On: the purchase order is sent to Xero each time you save it. "
                     "Off: the purchase order stays in this app (recommended for drafts).")


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as SelectChoice (WTForms 3.3 deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"Use at most {limit} characters.")


class LineForm(Form):
    """One order line. Plain Form (not FlaskForm): the CSRF token belongs to the outer form."""

    line_id = HiddenField()
    product_id = SelectField("Product", choices=[], validate_choice=True)
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=LINE_DESCRIPTION_MAX,
                           message=f"Use at most {LINE_DESCRIPTION_MAX:,} characters (Xero's limit)."),
    ])
    quantity = QuantityField("Quantity")
    unit_cost = MoneyField("Unit cost")
    tax_type = SelectField("Tax rate", choices=[], validate_choice=True)

    def is_blank(self) -> bool:
        """Nothing chosen or typed but the defaults a new row starts with."""
        return (not self.product_id.data and not (self.description.data or "").strip()
                and not _raw(self.unit_cost))

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.product_id.data and not (self.description.data or "").strip():
            self.description.errors.append("Enter a description or choose a product.")
        if not self.quantity.errors:
            if self.quantity.data is None:
                self.quantity.errors.append("Enter a quantity.")
            elif self.quantity.data <= 0:
                self.quantity.errors.append("Quantity must be more than 0.")
        if not self.unit_cost.errors:
            if self.unit_cost.data is None:
                self.unit_cost.errors.append("Enter a unit cost (0 or more).")
            elif self.unit_cost.data < 0:
                self.unit_cost.errors.append("Unit cost cannot be negative.")
        return not self.errors

    def configure(self, products: list[SelectChoice], tax_rates: list[SelectChoice]) -> None:
        """Give the row its choices (they depend on the workspace, so they are set per request)."""
        self.product_id.choices = products
        self.tax_type.choices = tax_rates
        if self.product_id.data is None:
            self.product_id.data = ""
        if self.tax_type.data is None:
            self.tax_type.data = ""

    def figures(self) -> LineFigures:
        """What the totals need, read leniently: what cannot be read counts 0."""
        return LineFigures(self.quantity.data, self.unit_cost.data, None,
                           self.tax_type.data or None)


def _raw(field) -> str:
    return (field.raw_data[0] if field.raw_data else "").strip()


class PurchaseOrderForm(DocumentForm):
    supplier_id = SelectField("Supplier", choices=[], validate_choice=False,
                              validators=[DataRequired("Choose a supplier.")])
    number = StringField("Number", validators=[number_unless_xero_numbers, _max(255)],
                         description="Unique in this workspace; becomes the order number in Xero.")
    order_date = DateField("Order date", validators=[DataRequired("Enter the order date.")])
    delivery_date = DateField("Expected delivery", validators=[Optional()])
    reference = StringField("Reference", validators=[Optional(), _max(255)])
    status = SelectField("Status", choices=as_choices(PO_STATUSES.items()), default="draft")
    amount_type = SelectField("Amounts are", choices=as_choices(AMOUNT_TYPES.items()),
                              default="Exclusive")
    delivery_address = TextAreaField("Delivery address", validators=[Optional(), _max(2000)])
    attention_to = StringField("Attention to", validators=[Optional(), _max(255)])
    telephone = StringField("Telephone", validators=[Optional(), _max(50)])
    delivery_instructions = TextAreaField("Delivery instructions", validators=[
        Optional(), Length(max=DELIVERY_INSTRUCTIONS_MAX,
                           message=f"Use at most {DELIVERY_INSTRUCTIONS_MAX} characters "
                                   "(Xero's limit)."),
    ], render_kw={"maxlength": DELIVERY_INSTRUCTIONS_MAX, "rows": 3})
    lines = LineRows(FormField(LineForm), min_entries=1)
    save_to_xero = BooleanField("Save to Xero", description=SAVE_TO_XERO_HELP)

    number_missing = "Enter a purchase order number."
    number_taken_message = "Another purchase order already has this number."
    currency = ""  # the order's (not editable here): shown with the totals

    def configure(self, *, workspace_id: int, purchase_order_id: int | None, currency: str,
                  suppliers: list[Supplier], products: list[Product],
                  tax_rates: list[SelectChoice], numbered_by_xero: bool = False) -> None:
        self._workspace_id, self._purchase_order_id = workspace_id, purchase_order_id
        self.currency = currency
        self.supplier_id.choices = as_choices(
            [("", "Choose a supplier…")] + [(str(s.id), s.name) for s in suppliers])
        self._supplier_ids = {str(s.id) for s in suppliers}
        self.products = {str(p.id): p for p in products}
        self.configure_numbering(numbered_by_xero)
        self.configure_lines(as_choices(
            [("", "No product")] + [(str(p.id), f"{p.sku} – {p.name}") for p in products]),
            tax_rates)

    def number_in_use(self, number: str) -> bool:
        return number_taken(self._workspace_id, number, self._purchase_order_id)

    def validate_supplier_id(self, field) -> None:
        # Another workspace's supplier id answers like a missing one.
        if field.data and str(field.data) not in self._supplier_ids:
            raise ValidationError("Choose a supplier.")

    def validate_delivery_date(self, field) -> None:
        if field.data and self.order_date.data and field.data < self.order_date.data:
            raise ValidationError("The delivery date cannot be before the order date.")

    def product_of(self, line: LineForm) -> Product | None:
        return self.products.get(line.product_id.data or "")
