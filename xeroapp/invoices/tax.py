"""Tax rates of invoice lines: the sales side of xeroapp.products.line_tax."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from wtforms import SelectChoice

from xeroapp.models import Workspace
from xeroapp.products import line_tax


def default_tax_type(workspace: Workspace) -> str | None:
    return line_tax.default_tax_type(workspace, "sales")


def rate_lookup(workspace: Workspace) -> Callable[[str | None], Decimal]:
    return line_tax.rate_lookup(workspace, "sales")


def rate_choices(workspace: Workspace, keep: set[str] | None = None) -> list[SelectChoice]:
    return line_tax.rate_choices(workspace, "sales", "Default rate", keep)


def rate_namer(workspace: Workspace) -> Callable[[str | None], str]:
    """``name_of(tax_type)`` for display: "15% GST on Income", the code if unknown, and for no
    code the rate the totals assumed, marked "(default)"."""
    default = default_tax_type(workspace)

    def name_of(tax_type: str | None) -> str:
        if tax_type:
            return line_tax.rate_name(workspace, tax_type)
        if default:
            return f"{line_tax.rate_name(workspace, default)} (default)"
        return "Default rate"

    return name_of
