"""Settings > Invoices: the status a new invoice is created in, in Xero (Draft, Awaiting
approval or Awaiting payment). Sending an update never changes the status Xero holds."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.extensions import db
from xeroapp.settings import bp
from xeroapp.settings.forms import InvoiceSettingsForm


@bp.route("/invoices", methods=["GET", "POST"])
def invoices():
    workspace = current_user.workspace
    form = InvoiceSettingsForm(obj=workspace)
    conflict = stale.check(form, workspace)
    if conflict is not None:  # changed since the page was opened: keep what was typed
        return stale.refused(conflict, lambda: _page(form=form, conflict=conflict))
    if form.validate_on_submit():
        workspace.invoice_xero_status = form.invoice_xero_status.data
        db.session.commit()
        flash("Invoice settings saved.", "success")
        return redirect(url_for("settings.invoices"))
    return _page(form=stale.stamp(form, workspace)), 422 if form.errors else 200


def _page(**context):
    return render_template("settings/invoices.html", active_area="settings", **context)
