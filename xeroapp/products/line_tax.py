"""The tax rate of a document line, for sales (invoices) and purchases (purchase orders) alike.

A line stores a Xero TaxType code, or nothing, meaning "the account's default", which Xero
fills in. For our live totals, nothing counts as the tax rate chosen in Settings once Xero is
connected (the connection's sales or purchase tax type), else the country's standard rate on
that side (the first one listed, e.g. OUTPUT2 15% GST on income in NZ). Rates come from
xeroapp.products.tax_rates, picked by the workspace's default currency: the organisation's
base currency decides its tax system, whatever currency one document is in.

The percentages only drive our live totals; Xero recomputes tax when a document is pushed.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from wtforms import SelectChoice

from xeroapp.extensions import db
from xeroapp.models import Workspace, XeroConnection
from xeroapp.products.tax_rates import (TaxRate, purchase_tax_rates, sales_tax_rates,
                                        tax_rate_name, tax_rates)

Side = Literal["sales", "purchases"]


def offered_rates(workspace: Workspace, side: Side) -> tuple[TaxRate, ...]:
    pick = sales_tax_rates if side == "sales" else purchase_tax_rates
    return pick(workspace.default_currency)


def default_tax_type(workspace: Workspace, side: Side) -> str | None:
    """What a line without a tax rate gets (see the module docstring)."""
    connection = db.session.scalar(
        sa.select(XeroConnection).where(XeroConnection.workspace_id == workspace.id))
    chosen = None
    if connection is not None:
        chosen = connection.sales_tax_type if side == "sales" else connection.purchase_tax_type
    if chosen:
        return chosen
    rates = offered_rates(workspace, side)
    return rates[0].tax_type if rates else None


def rate_lookup(workspace: Workspace, side: Side) -> Callable[[str | None], Decimal]:
    """``rate_of(tax_type)`` in percent; no code means the default, unknown codes count as 0."""
    percents = {rate.tax_type: rate.percent for rate in tax_rates(workspace.default_currency)}
    fallback = default_tax_type(workspace, side)

    def rate_of(tax_type: str | None) -> Decimal:
        return percents.get(tax_type or fallback or "", Decimal("0"))

    return rate_of


def rate_choices(workspace: Workspace, side: Side, blank_label: str,
                 keep: set[str] | None = None) -> list[SelectChoice]:
    """Choices for a line's tax select; ``keep`` adds codes already saved on the document that
    the list no longer offers, so editing never silently drops them."""
    offered = offered_rates(workspace, side)
    choices = [SelectChoice("", blank_label)]
    choices += [SelectChoice(rate.tax_type, f"{rate.name} ({rate.percent:g}%)") for rate in offered]
    known = {rate.tax_type for rate in offered}
    choices += [SelectChoice(code, code) for code in sorted((keep or set()) - known) if code]
    return choices


def rate_name(workspace: Workspace, tax_type: str | None) -> str:
    return tax_rate_name(workspace.default_currency, tax_type)
