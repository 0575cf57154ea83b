"""One place decides between a full page and an htmx fragment."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, Response, has_request_context, make_response, render_template, request
from flask_login import current_user

from xeroapp.extensions import htmx
from xeroapp.timezones import DEFAULT_TIME_ZONE, in_zone

NAVIGATION = (
    ("clients.index", "Clients"),
    ("invoices.index", "Invoices"),
    ("suppliers.index", "Suppliers"),
    ("products.index", "Products"),
    ("purchase_orders.index", "Purchase orders"),
    ("settings.index", "Settings"),
)


def wants_fragment() -> bool:
    """An htmx request that swaps part of a page; boosted and history-restore need the page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_partial(page_template: str, partial_template: str, /, *, status: int = 200,
                           **context: Any) -> Response:
    """Render the partial for htmx, the page otherwise (the page includes the partial).

    ``Vary: HX-Request`` stops a cache, or the browser's back button, serving a fragment where a
    page was asked for.
    """
    template = partial_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def format_money(value: Decimal | None) -> str:
    """1234.5 -> "1,234.50"; blank for no value."""
    return "" if value is None else f"{Decimal(value):,.2f}"


def format_unit_price(value: Decimal | None) -> str:
    """A unit price with every place it carries (we keep 4, and so does Xero with unitdp=4),
    at least cents: 10.1234 -> "10.1234", 1234.5 -> "1,234.50". Rounding it to cents here
    would show a price the line's amount was not worked out from."""
    if value is None:
        return ""
    places = max(2, -Decimal(value).normalize().as_tuple().exponent)
    return f"{Decimal(value):,.{places}f}"


def format_quantity(value: Decimal | None) -> str:
    """Quantities without trailing zeros: 2.5000 -> "2.5", 10.0000 -> "10"."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y")


def current_time_zone() -> str:
    """The logged-in user's workspace zone; UTC outside a request or without a user (a worker,
    the login page)."""
    if not has_request_context() or not current_user.is_authenticated:
        return DEFAULT_TIME_ZONE
    return current_user.workspace.time_zone


def local_time(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """A stored UTC time as the workspace reads it: ``fmt`` applied in its zone (``%Z`` gives the
    zone's abbreviation, e.g. NZDT). Blank for no value.

    Our columns hand back aware UTC datetimes; a naive one is taken as UTC too.
    ``<time datetime>`` attributes keep ``isoformat()`` (UTC): only the visible text converts.
    """
    if value is None:
        return ""
    return in_zone(value, current_time_zone()).strftime(fmt)


def init_app(app: Flask) -> None:
    from xeroapp.models.documents import AMOUNT_TYPES, INVOICE_STATUSES, PO_STATUSES

    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_unit_price, "unit_price")
    app.add_template_filter(format_quantity, "quantity")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(local_time, "local_time")

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        return {
            "navigation": NAVIGATION,
            "active_area": request.blueprint if has_request_context() else None,
            "amount_types": AMOUNT_TYPES,
            "invoice_statuses": INVOICE_STATUSES,
            "po_statuses": PO_STATUSES,
        }
