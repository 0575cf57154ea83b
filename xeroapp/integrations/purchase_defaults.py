"""Settings > Purchase orders: the default purchase account and tax rate for order lines
(and for the Items the missing-products dialog creates) that name none of their own.

Served by the invoice defaults' code (defaults.edit_defaults): the choices are the
organisation's own lists (xero.reference, cached), and the section loads with htmx after the
page, so the settings page never waits on Xero.
"""
from __future__ import annotations

from wtforms import SelectField

from xeroapp.integrations import bp
from xeroapp.integrations.defaults import DefaultsPage, edit_defaults
from xeroapp.stale import VersionedForm
from xeroapp.xero import reference


class PurchaseDefaultsForm(VersionedForm):
    purchase_account_code = SelectField(
        "Default purchase account", validate_choice=True,
        description="Used on purchase order lines, and new Xero items, whose product names no account.")
    purchase_tax_type = SelectField(
        "Default purchase tax rate", validate_choice=True,
        description="Used on purchase order lines that name no tax rate (not on orders entered as No tax).")


PURCHASES = DefaultsPage("purchase", PurchaseDefaultsForm, reference.purchase_accounts,
                         reference.purchase_tax_rates, "integrations/purchase_defaults.html",
                         "integrations/_purchase_defaults.html", "Purchase order defaults saved.",
                         "integrations.purchase_orders")


@bp.route("/purchase-orders/defaults", methods=["GET", "POST"])
def purchase_defaults():
    return edit_defaults(PURCHASES)
