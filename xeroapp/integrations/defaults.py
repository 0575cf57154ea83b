"""Settings > Integrations: the default sales account and tax rate for invoice lines.

The choices are the organisation's own (xero.reference: /Accounts and /TaxRates, cached for
an hour), so a line without its own codes never carries a code Xero would reject. The section
loads with htmx after the page, so the Integrations page never waits on Xero.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from xeroapp.extensions import db
from xeroapp.integrations import bp, connecting
from xeroapp.rendering import render_page_or_partial
from xeroapp.xero import reference
from xeroapp.xero.errors import XeroError

NONE_CHOSEN = ""


class SalesDefaultsForm(FlaskForm):
    sales_account_code = SelectField("Default sales account", validate_choice=True,
                                     description="Used on invoice lines that name no account.")
    sales_tax_type = SelectField("Default tax rate", validate_choice=True,
                                 description="Used on invoice lines that name no tax rate "
                                             "(not on invoices entered as No tax).")


def _with_choices(form: SalesDefaultsForm, connection) -> None:
    blank = [SelectChoice(NONE_CHOSEN, "No default (each line chooses)")]
    form.sales_account_code.choices = blank + [SelectChoice(c.code, c.label)
                                               for c in reference.sales_accounts(connection)]
    form.sales_tax_type.choices = blank + [SelectChoice(c.code, c.label)
                                           for c in reference.sales_tax_rates(connection)]


def _render(**context):
    return render_page_or_partial("integrations/defaults.html", "integrations/_defaults.html",
                                  active_area="settings", **context)


@bp.route("/integrations/defaults", methods=["GET", "POST"])
def sales_defaults():
    connection = connecting.connection_of(current_user.workspace_id)
    if connection is None or connection.needs_reconnect:
        return _render(form=None, error="Connect Xero to choose the defaults from its lists.")
    form = SalesDefaultsForm(data={"sales_account_code": connection.sales_account_code or NONE_CHOSEN,
                                   "sales_tax_type": connection.sales_tax_type or NONE_CHOSEN})
    try:
        _with_choices(form, connection)
    except XeroError as exc:
        return _render(form=None, error=f"Could not read the lists from Xero: {exc}")
    if form.validate_on_submit():
        connection.sales_account_code = form.sales_account_code.data or None
        connection.sales_tax_type = form.sales_tax_type.data or None
        db.session.commit()
        flash("Invoice defaults saved.", "success")
        return redirect(url_for("integrations.index"))
    return _render(form=form, error=None)
