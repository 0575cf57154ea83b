"""Tax rates of purchase-order lines: the purchases side of xeroapp.products.line_tax."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from wtforms import SelectChoice

from xeroapp.models import Workspace
from xeroapp.products import line_tax


def rate_lookup(workspace: Workspace) -> Callable[[str | None], Decimal]:
    return line_tax.rate_lookup(workspace, "purchases")


def rate_choices(workspace: Workspace, keep: set[str] | None = None) -> list[SelectChoice]:
    return line_tax.rate_choices(workspace, "purchases", "Account default", keep)


def rate_name(workspace: Workspace, tax_type: str | None) -> str:
    return line_tax.rate_name(workspace, tax_type) if tax_type else "Account default"
