"""Settings: the workspace itself; Integrations and Purchase orders pages come with issue 3."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp.extensions import db
from xeroapp.models import XeroConnection
from xeroapp.settings import bp
from xeroapp.settings.forms import WorkspaceForm


@bp.route("/", methods=["GET", "POST"])
def index():
    workspace = current_user.workspace
    form = WorkspaceForm(obj=workspace)
    if form.validate_on_submit():
        workspace.name = form.name.data.strip()
        workspace.default_currency = form.default_currency.data
        workspace.time_zone = form.time_zone.data
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.index"))
    connection = db.session.scalar(db.select(XeroConnection).filter_by(workspace_id=workspace.id))
    return render_template("settings/index.html", form=form, workspace=workspace,
                           connection=connection)
