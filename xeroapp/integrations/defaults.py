"""Settings > Integrations: the default sales account and tax rate for invoice lines, and the
organisation's lists they are chosen from.

The choices are the organisation's own (xero.reference: its /Accounts and /TaxRates, read when
it was connected and kept in our database), so a line without its own codes never carries a
code Xero would reject, and no page waits on Xero. "Refresh from Xero" reads the lists again on
the queue (after someone changed the organisation's tax rates, accounts or currencies in Xero).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from xeroapp import stale
from xeroapp.extensions import db
from xeroapp.integrations import bp, connecting
from xeroapp.models.xero import XeroConnection
from xeroapp.rendering import render_page_or_partial
from xeroapp.xero import reference

NONE_CHOSEN = ""


class SalesDefaultsForm(stale.VersionedForm):
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
        return render(form=None, org=None,
                      error="Connect Xero to choose the defaults from its lists.")
    org = reference.of_connection(connection)
    if org is None:  # connected before the lists were kept: read them on the queue
        reference.request_refresh(connection)
        return render(form=None, org=None,
                      error="Reading the organisation's accounts and tax rates from Xero. "
                            "Reload this page in a moment to choose the defaults.")
    account, tax = f"{page.side}_account_code", f"{page.side}_tax_type"
    form = page.form_class(data={account: getattr(connection, account) or NONE_CHOSEN,
                                 tax: getattr(connection, tax) or NONE_CHOSEN})
    form[account].choices = _choices(page.accounts(connection))
    form[tax].choices = _choices(page.tax_rates(connection))
    conflict = stale.check(form, connection, reload_url=url_for(page.back_to))
    if conflict is not None:  # changed since the page was opened: keep what was chosen
        return stale.refused(conflict, lambda: render_template(
            page.template, active_area="settings", form=form, org=org, error=None,
            conflict=conflict))
    if form.validate_on_submit():
        setattr(connection, account, form[account].data or None)
        setattr(connection, tax, form[tax].data or None)
        db.session.commit()
        flash(page.saved, "success")
        return redirect(url_for(page.back_to))
    return render(form=stale.stamp(form, connection), org=org, error=None,
                  status=422 if form.errors else 200)


def _choices(options: list[reference.Choice]) -> list[SelectChoice]:
    return ([SelectChoice(NONE_CHOSEN, "No default (each line chooses)")]
            + [SelectChoice(c.code, c.label) for c in options])


SALES = DefaultsPage("sales", SalesDefaultsForm, reference.sales_accounts,
                     reference.sales_tax_rates, "integrations/defaults.html",
                     "integrations/partials/_defaults.html", "Invoice defaults saved.", "integrations.index")


@bp.route("/defaults", methods=["GET", "POST"])
def sales_defaults():
    return edit_defaults(SALES)


@bp.post("/refresh-lists")
def refresh_lists():
    """Read the organisation's currencies, tax rates and accounts again (on the queue)."""
    connection = connecting.connection_of(current_user.workspace_id)
    if connection is None or connection.needs_reconnect:
        flash("Connect Xero first.", "info")
    else:
        reference.request_refresh(connection)
        flash(f"Reading {connection.tenant_name}'s currencies, tax rates and accounts from Xero. "
              "Reload the page in a moment to see them.", "info")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//")
                    else url_for("integrations.index"))
