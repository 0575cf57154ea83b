"""Settings > Purchase orders: the default purchase account and tax rate for order lines
(and for the Items the missing-products dialog creates) that name none of their own.

Mirrors the invoice defaults (defaults.py): the choices are the organisation's own lists
(xero.reference, cached), and the section loads with htmx after the page, so the settings
page never waits on Xero.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from xeroapp.extensions import db
from xeroapp.integrations import bp, connecting
from xeroapp.integrations.defaults import NONE_CHOSEN
from xeroapp.rendering import render_page_or_partial
from xeroapp.xero import reference
from xeroapp.xero.errors import XeroError


class PurchaseDefaultsForm(FlaskForm):
    purchase_account_code = SelectField(
        "Default purchase account", validate_choice=True,
        description="Used on purchase order lines, and new Xero items, whose product names no account.")
    purchase_tax_type = SelectField(
        "Default purchase tax rate", validate_choice=True,
        description="Used on purchase order lines that name no tax rate (not on orders entered as No tax).")


def _with_choices(form: PurchaseDefaultsForm, connection) -> None:
    blank = [SelectChoice(NONE_CHOSEN, "No default (each line chooses)")]
    form.purchase_account_code.choices = blank + [SelectChoice(c.code, c.label)
                                                  for c in reference.purchase_accounts(connection)]
    form.purchase_tax_type.choices = blank + [SelectChoice(c.code, c.label)
                                              for c in reference.purchase_tax_rates(connection)]


def _render(**context):
    return render_page_or_partial("integrations/purchase_defaults.html",
                                  "integrations/_purchase_defaults.html",
                                  active_area="settings", **context)


@bp.route("/purchase-orders/defaults", methods=["GET", "POST"])
def purchase_defaults():
    connection = connecting.connection_of(current_user.workspace_id)
    if connection is None or connection.needs_reconnect:
        return _render(form=None, error="Connect Xero to choose the defaults from its lists.")
    form = PurchaseDefaultsForm(data={
        "purchase_account_code": connection.purchase_account_code or NONE_CHOSEN,
        "purchase_tax_type": connection.purchase_tax_type or NONE_CHOSEN})
    try:
        _with_choices(form, connection)
    except XeroError as exc:
        return _render(form=None, error=f"Could not read the lists from Xero: {exc}")
    if form.validate_on_submit():
        connection.purchase_account_code = form.purchase_account_code.data or None
        connection.purchase_tax_type = form.purchase_tax_type.data or None
        db.session.commit()
        flash("Purchase order defaults saved.", "success")
        return redirect(url_for("integrations.purchase_orders"))
    return _render(form=form, error=None)
