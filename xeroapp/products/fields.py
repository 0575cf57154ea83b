"""Form fields for money and quantities (shared by the product and purchase-order forms).

Stored as Numeric(…, 4) because Xero takes unit amounts to 4 decimal places; shown with the
trailing zeros dropped down to 2 places, so 18.5000 reads 18.50 and 0.1250 stays 0.125.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import Field
from wtforms.widgets import TextInput

# Numeric(14, 4) / Numeric(12, 4): what the columns can hold.
MONEY_LIMIT = Decimal("10") ** 10
QUANTITY_LIMIT = Decimal("10") ** 8


def format_decimal(value: Decimal | None, min_places: int) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    if len(fraction) < min_places:
        fraction = fraction.ljust(min_places, "0")
    return f"{whole}.{fraction}" if fraction else whole


class DecimalText(Field):
    """A decimal typed as text: blank is None; at most 4 decimal places, within the column."""

    widget = TextInput()
    min_places = 2
    limit = MONEY_LIMIT
    invalid_message = "Enter an amount, like 12.50."

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_decimal(self.data, self.min_places)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip().replace(",", "")
        if not text:
            self.data = None
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(self.invalid_message) from None
        if not value.is_finite() or abs(value) >= self.limit:
            self.data = None
            raise ValueError(self.invalid_message)
        if value.as_tuple().exponent < -4:
            self.data = None
            raise ValueError("Use at most 4 decimal places.")
        self.data = value


class MoneyField(DecimalText):
    pass


class QuantityField(DecimalText):
    min_places = 0
    limit = QUANTITY_LIMIT
    invalid_message = "Enter a quantity, like 2 or 1.5."
