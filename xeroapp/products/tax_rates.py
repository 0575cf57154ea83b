"""The built-in tax rates, for a workspace that has never connected a Xero organisation.

Once connected, lines and products offer the organisation's own rates (xeroapp.products.
line_tax reads them from xero.reference). Before that, the choice follows the workspace's
currency: the defaults a new Xero organisation in that country starts with (NZ, AU, UK), so a
line saved now most likely carries a code Xero will accept later. The percentage drives the
live totals; Xero recomputes tax itself when the document is pushed.

The same code means different rates in different countries (INPUT2 is 15% GST in New Zealand
and 20% VAT in the UK), which is why every lookup takes the currency.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class TaxRate(NamedTuple):
    tax_type: str
    name: str
    percent: Decimal
    purchases: bool  # offered on purchase orders
    sales: bool      # offered on invoices


def _rate(tax_type: str, name: str, percent: str, purchases: bool, sales: bool) -> TaxRate:
    return TaxRate(tax_type, name, Decimal(percent), purchases, sales)


NO_TAX = _rate("NONE", "No tax", "0", True, True)

_BY_CURRENCY: dict[str, tuple[TaxRate, ...]] = {
    "NZD": (
        _rate("INPUT2", "15% GST on Expenses", "15", True, False),
        _rate("OUTPUT2", "15% GST on Income", "15", False, True),
        _rate("NONE", "No GST", "0", True, True),
        _rate("ZERORATED", "Zero Rated", "0", False, True),
    ),
    "AUD": (
        _rate("INPUT", "GST on Expenses", "10", True, False),
        _rate("OUTPUT", "GST on Income", "10", False, True),
        _rate("EXEMPTEXPENSES", "GST Free Expenses", "0", True, False),
        _rate("EXEMPTOUTPUT", "GST Free Income", "0", False, True),
        _rate("INPUTTAXED", "Input Taxed", "0", True, True),
        _rate("BASEXCLUDED", "BAS Excluded", "0", True, True),
    ),
    "GBP": (
        _rate("INPUT2", "20% (VAT on Expenses)", "20", True, False),
        _rate("OUTPUT2", "20% (VAT on Income)", "20", False, True),
        _rate("RRINPUT", "5% (VAT on Expenses)", "5", True, False),
        _rate("RROUTPUT", "5% (VAT on Income)", "5", False, True),
        _rate("ZERORATEDINPUT", "Zero Rated Expenses", "0", True, False),
        _rate("ZERORATEDOUTPUT", "Zero Rated Income", "0", False, True),
        _rate("EXEMPTINPUT", "Exempt Expenses", "0", True, False),
        _rate("EXEMPTOUTPUT", "Exempt Income", "0", False, True),
        _rate("NONE", "No VAT", "0", True, True),
    ),
}


def tax_rates(currency: str) -> tuple[TaxRate, ...]:
    """Every rate for a workspace trading in ``currency`` (just "No tax" where we know none)."""
    return _BY_CURRENCY.get(currency, (NO_TAX,))
