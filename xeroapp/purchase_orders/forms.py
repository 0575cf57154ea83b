"""The purchase order form: header fields, delivery details and a variable list of lines.

Lines are a FieldList of LineForm (``lines-0-quantity`` …). A row left completely empty is
ignored rather than rejected, so the spare row a person added and did not fill in never blocks
a save. Limits are Xero's (DeliveryInstructions 500) or our columns'.
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

from xeroapp.ids import parse_id
from xeroapp.invoices.forms import (LINE_ID_UNREADABLE, XERO_NUMBERS_HINT, LineRows,
                                    number_unless_xero_numbers, unreadable_line_ids)
from xeroapp.models import Product, Supplier
from xeroapp.models.documents import AMOUNT_TYPES, PO_STATUSES
from xeroapp.products.fields import MoneyField, QuantityField, format_decimal
from xeroapp.purchase_orders.numbering import number_taken
from xeroapp.stale import VersionedForm

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
        if self.is_blank():
            return True
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

    @property
    def line_id_value(self) -> int | None:
        return parse_id(self.line_id.data)


def _raw(field) -> str:
    return (field.raw_data[0] if field.raw_data else "").strip()


class PurchaseOrderForm(VersionedForm):
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

    def __init__(self, *args, workspace_id: int, currency: str, suppliers: list[Supplier],
                 products: list[Product], tax_choices: list[SelectChoice],
                 purchase_order_id: int | None = None, numbered_by_xero: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Xero numbers new orders: an empty Number is then "numbered by Xero when sent".
        self.number_optional = numbered_by_xero
        if numbered_by_xero:
            self.number.description = XERO_NUMBERS_HINT
            self.number.flags.required = False
        self._workspace_id = workspace_id
        self._purchase_order_id = purchase_order_id
        self.currency = currency
        self.supplier_id.choices = as_choices(
            [("", "Choose a supplier…")] + [(str(s.id), s.name) for s in suppliers])
        self._supplier_ids = {str(s.id) for s in suppliers}
        self.products = {str(p.id): p for p in products}
        self.product_choices = as_choices(
            [("", "No product")] + [(str(p.id), f"{p.sku} – {p.name}") for p in products])
        self.tax_choices = tax_choices
        for entry in self.lines:
            self.prepare_line(entry.form)

    def prepare_line(self, line: LineForm) -> None:
        """Give a line its choices (they depend on the workspace, so they are set per request)."""
        line.product_id.choices = self.product_choices
        line.tax_type.choices = self.tax_choices
        if line.product_id.data is None:
            line.product_id.data = ""
        if line.tax_type.data is None:
            line.tax_type.data = ""

    def validate_supplier_id(self, field) -> None:
        # Another workspace's supplier id answers like a missing one.
        if field.data and str(field.data) not in self._supplier_ids:
            raise ValidationError("Choose a supplier.")

    def validate_number(self, field) -> None:
        if field.data and number_taken(self._workspace_id, field.data, self._purchase_order_id):
            raise ValidationError("Another purchase order already has this number.")

    def validate_delivery_date(self, field) -> None:
        if field.data and self.order_date.data and field.data < self.order_date.data:
            raise ValidationError("The delivery date cannot be before the order date.")

    def validate_lines(self, field) -> None:
        if not self.filled_lines():
            raise ValidationError("Add at least one line.")
        if unreadable_line_ids([line.line_id.data for line in self.filled_lines()]):
            raise ValidationError(LINE_ID_UNREADABLE)

    def filled_lines(self) -> list[LineForm]:
        return [entry.form for entry in self.lines if not entry.form.is_blank()]

    def product_of(self, line: LineForm) -> Product | None:
        return self.products.get(line.product_id.data or "")


def line_defaults(product: Product | None) -> dict[str, str]:
    """What choosing ``product`` puts in a row: its name, cost price and tax rate."""
    if product is None:
        return {}
    defaults = {"description": product.name}
    if product.cost_price is not None:
        defaults["unit_cost"] = format_decimal(product.cost_price, 2)
    if product.tax_type:
        defaults["tax_type"] = product.tax_type
    return defaults

