"""Document arithmetic (invoices, purchase orders), done the way Xero does it so our totals
match what Xero will show.

- A line's amount is quantity x unit price (a purchase order's unit cost) x (1 - discount/100), rounded half-up to cents
  (Xero's LineAmount).
- Tax is worked out and rounded per line: on top of the amount when amounts are tax
  exclusive, inside it (amount x rate / (100 + rate)) when inclusive, none for "No tax".
- Everything is Decimal; nothing here knows about forms or the database. Line sub-forms and
  line models hand over their figures as ``LineFigures``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from xeroapp.models.documents import AMOUNT_TYPES

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | None, unit_price: Decimal | None,
                discount_rate: Decimal | None = None) -> Decimal:
    """Xero's LineAmount: one rounding, at the end."""
    gross = (quantity or ZERO) * (unit_price or ZERO)
    if discount_rate:
        gross = gross * (HUNDRED - discount_rate) / HUNDRED
    return to_cents(gross)


def line_tax(amount: Decimal, rate_percent: Decimal, amount_type: str) -> Decimal:
    if amount_type == "NoTax" or not rate_percent:
        return ZERO.quantize(CENT)
    if amount_type == "Inclusive":
        return to_cents(amount * rate_percent / (HUNDRED + rate_percent))
    return to_cents(amount * rate_percent / HUNDRED)


@dataclass(frozen=True)
class LineFigures:
    """What the totals need from one line (a saved line or a row being typed)."""

    quantity: Decimal | None
    unit_price: Decimal | None
    discount_rate: Decimal | None = None
    tax_type: str | None = None


@dataclass
class Totals:
    amount_type: str
    line_amounts: list[Decimal] = field(default_factory=list)
    tax: Decimal = ZERO.quantize(CENT)

    @property
    def lines_total(self) -> Decimal:
        """The sum of the line amounts as entered (includes tax when amounts are inclusive)."""
        return sum(self.line_amounts, ZERO.quantize(CENT))

    @property
    def subtotal(self) -> Decimal:
        """Xero's SubTotal: the total before tax."""
        if self.amount_type == "Inclusive":
            return self.lines_total - self.tax
        return self.lines_total

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def compute_totals(lines: Iterable[LineFigures], amount_type: str,
                   rate_of: Callable[[str | None], Decimal]) -> Totals:
    """Totals for ``lines``; ``rate_of(tax_type)`` gives a line's tax rate in percent."""
    totals = Totals(amount_type=amount_type)
    for line in lines:
        amount = line_amount(line.quantity, line.unit_price, line.discount_rate)
        totals.line_amounts.append(amount)
        totals.tax += line_tax(amount, rate_of(line.tax_type), amount_type)
    return totals


def amount_type_or_default(value: str | None) -> str:
    """A posted amount type, read leniently for live totals: anything unknown counts as
    exclusive (the form refuses it on save)."""
    return value if value in AMOUNT_TYPES else "Exclusive"
