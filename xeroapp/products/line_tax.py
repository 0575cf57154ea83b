"""The tax rate of a document line, for sales (invoices) and purchases (purchase orders) alike.

Which rates exist: once the workspace has connected a Xero organisation, that organisation's
own active rates (its ``/TaxRates``, read on connect and kept by xero.reference: a British
organisation offers 20% VAT, an Australian one 10% GST), with each rate offered on the side it
applies to (CanApplyToRevenue: sales; CanApplyToExpenses: purchases). A workspace that never
connected gets the built-in table of xeroapp.products.tax_rates, picked by its default currency.

A line stores a Xero TaxType code, or nothing, meaning "the account's default", which Xero
fills in. For our live totals, nothing counts as the tax rate chosen in Settings once Xero is
connected (the connection's sales or purchase tax type), else the organisation's usual rate on
that side (the one most of its revenue, or expense, accounts default to), else the built-in
table's first rate on that side (e.g. OUTPUT2 15% GST on income in NZ).

The percentages only drive our live totals; Xero recomputes tax when a document is pushed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from flask import g
from wtforms import SelectChoice

from xeroapp.extensions import db
from xeroapp.models import Workspace, XeroConnection
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.products.tax_rates import TaxRate, tax_rates
from xeroapp.xero import reference

Side = Literal["sales", "purchases"]
ACCOUNT_CLASS = {"sales": "REVENUE", "purchases": "EXPENSE"}


def organisation(workspace: Workspace) -> XeroOrganisation | None:
    """The organisation whose rates apply (xero.reference.current), if its rates are known.
    Looked up once per request or job: one page asks for rates, names and defaults many times."""
    key = f"xeroapp_rates_org_{workspace.id}"
    if key not in g:
        org = reference.current(workspace.id)
        setattr(g, key, org if org is not None and org.tax_rates else None)
    return getattr(g, key)


def all_rates(workspace: Workspace) -> tuple[TaxRate, ...]:
    """Every rate a line or product of this workspace may carry (see the module docstring)."""
    org = organisation(workspace)
    if org is None:
        return tax_rates(workspace.default_currency)
    return tuple(TaxRate(r.tax_type, r.name, r.percent, r.purchases, r.sales) for r in org.rates())


def line_rates(workspace: Workspace) -> tuple[TaxRate, ...]:
    """The rates a line of either side can carry (a product's rate goes on both): not those
    only for balance-sheet accounts, such as GST on Imports."""
    return tuple(rate for rate in all_rates(workspace) if rate.sales or rate.purchases)


def offered_rates(workspace: Workspace, side: Side) -> tuple[TaxRate, ...]:
    return tuple(rate for rate in all_rates(workspace)
                 if (rate.sales if side == "sales" else rate.purchases))


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
    usual = _usual_rate(organisation(workspace), side, {rate.tax_type for rate in rates})
    return usual or (rates[0].tax_type if rates else None)


def _usual_rate(org: XeroOrganisation | None, side: Side, offered: set[str]) -> str | None:
    """The tax type most of the organisation's accounts on this side default to."""
    if org is None:
        return None
    counts = Counter(a.tax_type for a in org.account_list()
                     if a.account_class == ACCOUNT_CLASS[side] and a.tax_type in offered)
    return counts.most_common(1)[0][0] if counts else None


def rate_lookup(workspace: Workspace, side: Side) -> Callable[[str | None], Decimal]:
    """``rate_of(tax_type)`` in percent; no code means the default, unknown codes count as 0."""
    percents = {rate.tax_type: rate.percent for rate in all_rates(workspace)}
    fallback = default_tax_type(workspace, side)

    def rate_of(tax_type: str | None) -> Decimal:
        return percents.get(tax_type or fallback or "", Decimal("0"))

    return rate_of


def rate_choices(workspace: Workspace, side: Side, blank_label: str,
                 keep: set[str] | None = None) -> list[SelectChoice]:
    """Choices for a line's tax select; ``keep`` adds codes already saved on the document that
    the list no longer offers, so editing never silently drops them (marked when they are not
    rates of the connected organisation, which will refuse them)."""
    offered = offered_rates(workspace, side)
    choices = [SelectChoice("", blank_label)]
    choices += [SelectChoice(rate.tax_type, f"{rate.name} ({rate.percent:g}%)") for rate in offered]
    known = {rate.tax_type for rate in offered}
    org = organisation(workspace)
    for code in sorted((keep or set()) - known):
        if code:
            label = f"{code} (not a rate of {org.name})" if org is not None else code
            choices.append(SelectChoice(code, label))
    return choices


def rate_name(workspace: Workspace, tax_type: str | None) -> str:
    for rate in all_rates(workspace):
        if rate.tax_type == tax_type:
            return rate.name
    return tax_type or ""
