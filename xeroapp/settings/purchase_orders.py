"""Settings > Purchase orders: "Save to Xero" on new orders, the status orders get in Xero, and
the default purchase account and tax rate for order lines (and for the Items the
missing-products dialog creates) that name none of their own.

The line defaults are served by the invoice defaults' code (integrations.defaults): the choices
are the organisation's own lists (xero.reference, cached), and the section loads with htmx
after the page, so the settings page never waits on Xero.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectField

from xeroapp import stale
from xeroapp.extensions import db
from xeroapp.integrations.defaults import DefaultsPage, edit_defaults
from xeroapp.settings import bp
from xeroapp.settings.forms import PurchaseOrderSettingsForm
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
                         reference.purchase_tax_rates, "settings/purchase_defaults.html",
                         "settings/partials/_purchase_defaults.html",
                         "Purchase order defaults saved.", "settings.purchase_orders")


@bp.route("/purchase-orders", methods=["GET", "POST"])
def purchase_orders():
    workspace = current_user.workspace
    form = PurchaseOrderSettingsForm(obj=workspace)
    conflict = stale.check(form, workspace)
    if conflict is not None:  # changed since the page was opened: keep what was typed
        return stale.refused(conflict, lambda: _page(form=form, conflict=conflict))
    if form.validate_on_submit():
        workspace.po_save_to_xero_default = form.po_save_to_xero_default.data
        workspace.po_xero_status = form.po_xero_status.data
        db.session.commit()
        flash("Purchase order settings saved.", "success")
        return redirect(url_for("settings.purchase_orders"))
    return _page(form=stale.stamp(form, workspace)), 422 if form.errors else 200


@bp.route("/purchase-orders/defaults", methods=["GET", "POST"])
def purchase_defaults():
    return edit_defaults(PURCHASES)


def _page(**context):
    return render_template("settings/purchase_orders.html", active_area="settings", **context)
