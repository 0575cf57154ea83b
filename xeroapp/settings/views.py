"""Settings: the workspace itself and how its documents are numbered; the Invoices and
Purchase orders pages are settings/invoices.py and settings/purchase_orders.py, Settings >
Integrations is xeroapp/integrations."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.extensions import db
from xeroapp.integrations import org_numbers
from xeroapp.models import XeroConnection
from xeroapp.models.workspace import INVOICE_XERO_STATUSES, PO_XERO_STATUS_NAMES
from xeroapp.settings import bp
from xeroapp.settings.forms import NumberingForm, WorkspaceForm


@bp.route("/", methods=["GET", "POST"])
def index():
    workspace = current_user.workspace
    form = WorkspaceForm(obj=workspace)
    conflict = stale.check(form, workspace, reload_url=url_for("settings.index"))
    if conflict is not None:  # changed since the page was opened: keep what was typed
        return stale.refused(conflict, lambda: _page(form, _numbering_form(formdata=None),
                                                     workspace_conflict=conflict))
    if form.validate_on_submit():
        workspace.name = form.name.data.strip()
        workspace.default_currency = form.default_currency.data
        workspace.time_zone = form.time_zone.data
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.index"))
    return _page(form, _numbering_form(formdata=None)), 422 if form.errors else 200


@bp.post("/numbering")
def numbering():
    """Settings › Document numbers. Our own numbering is checked against what the connected
    organisation holds as it is saved: the next numbers are raised past its highest."""
    workspace = current_user.workspace
    form = _numbering_form()
    conflict = stale.check(form, workspace, reload_url=url_for("settings.index",
                                                               _anchor="numbering"))
    if conflict is not None:  # changed since the page was opened: keep what was typed
        return stale.refused(conflict, lambda: _page(WorkspaceForm(formdata=None, obj=workspace),
                                                     form, numbering_conflict=conflict))
    if not form.validate_on_submit():
        return _page(WorkspaceForm(formdata=None, obj=workspace), form), 422
    form.populate_obj(workspace)
    db.session.commit()
    flash("Document numbering saved.", "success")
    if not workspace.numbered_by_xero:
        notice = org_numbers.refresh_for_own_numbering(workspace)
        if notice is not None:
            flash(notice[1], notice[0])
    return redirect(url_for("settings.index", _anchor="numbering"))


def _numbering_form(**kwargs) -> NumberingForm:
    workspace = current_user.workspace
    form = NumberingForm(obj=workspace, **kwargs)
    if form.document_numbering.data is None:  # never chosen: numbers as our own series does
        form.document_numbering.data = "own"
    return form


def _page(form: WorkspaceForm, numbering_form: NumberingForm, *,
          workspace_conflict: stale.Conflict | None = None,
          numbering_conflict: stale.Conflict | None = None) -> str:
    workspace = current_user.workspace
    stale.stamp(form, workspace)
    stale.stamp(numbering_form, workspace)
    connection = db.session.scalar(db.select(XeroConnection).filter_by(workspace_id=workspace.id))
    return render_template("settings/index.html", form=form, numbering_form=numbering_form,
                           workspace=workspace, connection=connection,
                           workspace_conflict=workspace_conflict,
                           numbering_conflict=numbering_conflict,
                           invoice_statuses=INVOICE_XERO_STATUSES,
                           po_statuses=PO_XERO_STATUS_NAMES)
