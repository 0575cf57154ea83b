"""Settings > Integrations: the default sales account and tax rate for invoice lines.

The choices are the organisation's own (xero.reference: /Accounts and /TaxRates, cached for
an hour), so a line without its own codes never carries a code Xero would reject. The section
loads with htmx after the page, so the Integrations page never waits on Xero.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from xeroapp.extensions import db
from xeroapp.integrations import bp, connecting
from xeroapp.models.xero import XeroConnection
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


@dataclass(frozen=True)
class DefaultsPage:
    """One side's line defaults: the connection's ``<side>_account_code`` and
    ``<side>_tax_type``, chosen from the organisation's own lists."""

    side: str  # "sales" or "purchase"
    form_class: type[FlaskForm]
    accounts: Callable[[XeroConnection], list[reference.Choice]]
    tax_rates: Callable[[XeroConnection], list[reference.Choice]]
    template: str
    partial: str
    saved: str  # the flash message
    back_to: str  # the endpoint to return to


def edit_defaults(page: DefaultsPage):
    """GET: the form with the organisation's choices; POST: save them on the connection."""
    def render(**context):
        return render_page_or_partial(page.template, page.partial, active_area="settings",
                                      **context)

    connection = connecting.connection_of(current_user.workspace_id)
    if connection is None or connection.needs_reconnect:
        return render(form=None, error="Connect Xero to choose the defaults from its lists.")
    account, tax = f"{page.side}_account_code", f"{page.side}_tax_type"
    form = page.form_class(data={account: getattr(connection, account) or NONE_CHOSEN,
                                 tax: getattr(connection, tax) or NONE_CHOSEN})
    try:
        form[account].choices = _choices(page.accounts(connection))
        form[tax].choices = _choices(page.tax_rates(connection))
    except XeroError as exc:
        return render(form=None, error=f"Could not read the lists from Xero: {exc}")
    if form.validate_on_submit():
        setattr(connection, account, form[account].data or None)
        setattr(connection, tax, form[tax].data or None)
        db.session.commit()
        flash(page.saved, "success")
        return redirect(url_for(page.back_to))
    return render(form=form, error=None)


def _choices(options: list[reference.Choice]) -> list[SelectChoice]:
    return ([SelectChoice(NONE_CHOSEN, "No default (each line chooses)")]
            + [SelectChoice(c.code, c.label) for c in options])


SALES = DefaultsPage("sales", SalesDefaultsForm, reference.sales_accounts,
                     reference.sales_tax_rates, "integrations/defaults.html",
                     "integrations/_defaults.html", "Invoice defaults saved.", "integrations.index")


@bp.route("/integrations/defaults", methods=["GET", "POST"])
def sales_defaults():
    return edit_defaults(SALES)
