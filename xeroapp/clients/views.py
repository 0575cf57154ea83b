"""Clients: the workspace's customers (list and search, create, edit, delete when unused)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.clients import bp
from xeroapp.clients.forms import ClientForm
from xeroapp.clients.queries import invoice_count, search_filter
from xeroapp.deletion import delete_unless_blocked, push_in_progress
from xeroapp.extensions import db
from xeroapp.listing import paginate, workspace_select
from xeroapp.models import Client, Invoice
from xeroapp.panel import xero_state
from xeroapp.rendering import render_page_or_partial

DETAIL_TABS = ("details", "xero")
RECENT_INVOICES = 5


def detail_tab() -> str:
    """The record tab asked for with ?tab= (links work without JavaScript)."""
    tab = request.args.get("tab", "details")
    return tab if tab in DETAIL_TABS else "details"


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    query = search_filter(workspace_select(Client), q).order_by(Client.name, Client.id)
    return render_page_or_partial("clients/index.html", "clients/partials/_table.html",
                                  page=paginate(query), q=q)


@bp.get("/<id:client_id>")
def detail(client_id: int):
    client = get_owned_or_404(Client, client_id)
    recent = db.session.scalars(
        sa.select(Invoice).where(Invoice.client_id == client.id)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(RECENT_INVOICES)
    ).all()
    links = xero_state.links_of(client.workspace_id, "invoice", [invoice.id for invoice in recent])
    today = xero_state.workspace_today(current_user.workspace.time_zone)
    return render_page_or_partial("clients/detail.html", "clients/partials/_details.html",
                                  xero_status_of=lambda invoice: xero_state.invoice_status(
                                      links.get(invoice.id), invoice.due_date, today),
                                  client=client, tab=detail_tab(), recent_invoices=recent,
                                  invoice_total=invoice_count(client.id),
                                  xero_contact=xero_state.contact_in_xero(client))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ClientForm(workspace_id=current_user.workspace_id)
    if form.validate_on_submit():
        client = Client(workspace_id=current_user.workspace_id, **form.cleaned())
        db.session.add(client)
        db.session.commit()
        flash(f"Client “{client.name}” added.", "success")
        return redirect(url_for("clients.detail", client_id=client.id))
    return _render_form(form, None)


@bp.route("/<id:client_id>/edit", methods=["GET", "POST"])
def edit(client_id: int):
    client = get_owned_or_404(Client, client_id)
    form = ClientForm(obj=client, workspace_id=client.workspace_id, client_id=client.id)
    conflict = stale.check(form, client)
    if conflict is not None:  # changed since this form was opened: keep what was typed
        return stale.refused(conflict, lambda: _form_page(form, client, conflict))
    if form.validate_on_submit():
        for name, value in form.cleaned().items():
            setattr(client, name, value)
        db.session.commit()
        flash(f"Client “{client.name}” saved.", "success")
        return redirect(url_for("clients.detail", client_id=client.id))
    return _render_form(form, client)


def _render_form(form: ClientForm, client: Client | None):
    """The form page; 422 after a failed save, so htmx and tests tell it from a success."""
    return _form_page(form, client), 422 if form.errors else 200


def _form_page(form: ClientForm, client: Client | None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, client)
    return render_template("clients/form.html", form=form, client=client, conflict=conflict)


@bp.route("/<id:client_id>/delete", methods=["GET", "POST"])
def delete(client_id: int):
    """GET asks for confirmation (in the modal with htmx); POST deletes if nothing uses it."""
    client = get_owned_or_404(Client, client_id)
    blocker = _delete_blocker(client)
    if request.method == "GET":
        return render_page_or_partial("clients/delete.html", "clients/partials/_delete.html",
                                      client=client, blocker=blocker)
    return delete_unless_blocked(
        client, blocker, deleted=f"Client “{client.name}” deleted.", label=f"“{client.name}”",
        kept_url=url_for("clients.detail", client_id=client.id),
        gone_url=url_for("clients.index"))


def _delete_blocker(client: Client) -> str | None:
    """Why ``client`` cannot be deleted, in words for the user; None when it can."""
    count = invoice_count(client.id)
    if count:
        noun = "invoice" if count == 1 else "invoices"
        return (f"“{client.name}” has {count} {noun}, so it cannot be deleted. "
                "Invoices need their client: delete or reassign them first.")
    if push_in_progress(client):
        return f"“{client.name}” is being sent to Xero right now; try again when that has finished."
    return None
