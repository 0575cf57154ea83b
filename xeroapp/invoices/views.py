"""Invoices: list with filters, create, edit, duplicate, mark as sent, and live totals."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.clients.views import detail_tab
from xeroapp.documents.editing import workspace_product
from xeroapp.documents.lines import edit_rows
from xeroapp.documents.saving import save_or_render
from xeroapp.extensions import db
from xeroapp.ids import arg_id
from xeroapp.invoices import bp, editing, tax, xero_filter
from xeroapp.invoices.forms import InvoiceForm
from xeroapp.listing import paginate, workspace_select
from xeroapp.models import Invoice, XeroConnection
from xeroapp.models.documents import INVOICE_STATUSES
from xeroapp.panel import xero_state
from xeroapp.rendering import render_page_or_partial


@bp.get("/")
def index():
    client_id = arg_id("client")
    workspace = current_user.workspace
    xero = request.args.get("xero", "")
    filters = {"status": request.args.get("status", ""), "client": str(client_id or ""),
               "q": request.args.get("q", "").strip(),
               "xero": xero if xero in xero_filter.XERO_FILTERS else ""}
    tenant_id = xero_state.current_tenant(workspace.id)
    today = xero_state.workspace_today(workspace.time_zone)
    query = (workspace_select(Invoice)
             .options(so.selectinload(Invoice.client), so.selectinload(Invoice.lines))
             .order_by(Invoice.issue_date.desc(), Invoice.id.desc()))
    if filters["status"] in INVOICE_STATUSES:
        query = query.where(Invoice.status == filters["status"])
    if client_id is not None:
        query = query.where(Invoice.client_id == client_id)
    if filters["q"]:
        query = query.where(sa.or_(Invoice.number.icontains(filters["q"], autoescape=True),
                                   Invoice.reference.icontains(filters["q"], autoescape=True)))
    query = xero_filter.apply(query, filters["xero"], workspace.id, tenant_id, today)
    rate_of = tax.rate_lookup(workspace)
    page = paginate(query)
    links = xero_state.links_of(workspace.id, "invoice", [invoice.id for invoice in page.items])
    return render_page_or_partial(
        "invoices/index.html", "invoices/partials/_table.html", page=page,
        filters=filters, filtered=any(filters.values()),
        clients=editing.client_choices(workspace.id), xero_filters=xero_filter.XERO_FILTERS,
        total_of=lambda invoice: editing.invoice_totals(invoice, rate_of).total,
        xero_status_of=lambda invoice: xero_state.invoice_status(
            links.get(invoice.id), invoice.due_date, today),
    )


@bp.get("/<id:invoice_id>")
def detail(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id)
    workspace = current_user.workspace
    return render_page_or_partial("invoices/detail.html", "invoices/partials/_details.html",
                                  invoice=invoice, totals=editing.invoice_totals(invoice),
                                  tab=detail_tab(), tax_name=tax.rate_namer(workspace),
                                  xero=xero_state.invoice_in_xero(invoice, workspace.time_zone),
                                  watch_xero=XeroConnection.usable_for(workspace.id) is not None)


@bp.route("/new", methods=["GET", "POST"])
def new():
    workspace = current_user.workspace
    prefill = None if request.method == "POST" else editing.new_invoice_data(
        workspace, arg_id("client_id"))
    form = editing.configure(InvoiceForm(data=prefill), workspace)
    return _save_or_render(form, Invoice(workspace_id=workspace.id, status="draft"))


@bp.route("/<id:invoice_id>/edit", methods=["GET", "POST"])
def edit(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id)
    prefill = None if request.method == "POST" else editing.invoice_data(
        invoice, current_user.workspace)
    form = editing.configure(InvoiceForm(data=prefill), current_user.workspace, invoice)
    return _save_or_render(form, invoice)


@bp.get("/<id:invoice_id>/duplicate")
def duplicate(invoice_id: int):
    """A new-invoice form filled from this one; nothing is saved until the user saves it."""
    source = get_owned_or_404(Invoice, invoice_id)
    form = InvoiceForm(data=editing.duplicate_data(source, current_user.workspace))
    editing.configure(form, current_user.workspace, source)
    return _form_page(form, None, duplicate_of=source)


@bp.post("/<id:invoice_id>/status")
def set_status(invoice_id: int):
    """Mark as sent (to the customer) or back to draft: local only, Xero keeps its DRAFT."""
    invoice = get_owned_or_404(Invoice, invoice_id)
    status = request.form.get("status", "")
    if status not in INVOICE_STATUSES:
        abort(400)
    invoice.status = status
    db.session.commit()
    flash(f"{_named(invoice)} marked as {INVOICE_STATUSES[status].lower()}.", "success")
    return redirect(url_for("invoices.detail", invoice_id=invoice.id))


@bp.post("/totals")
def totals():
    """Live totals for the form as typed (htmx): the totals block plus each row's amount."""
    form = InvoiceForm()  # read leniently; never validated or saved here
    return render_template("invoices/partials/_totals.html", oob=True,
                           **editing.form_totals(form, current_user.workspace))


@bp.post("/lines")
def lines():
    """The lines block re-rendered (htmx) after one change of its rows (documents.lines)."""
    workspace = current_user.workspace
    form = editing.configure(InvoiceForm(), workspace)
    edit_rows(form, request.form.get("op", ""), lambda line: editing.fill_from_product(
        line, workspace_product(workspace.id, line.product_id.data)))
    return render_template("invoices/partials/_lines.html", form=form,
                           **editing.form_totals(form, workspace))


def _save_or_render(form: InvoiceForm, invoice: Invoice):
    return save_or_render(
        form, invoice, save=lambda: editing.save(form, invoice), saved=_saved,
        page=lambda conflict: _form_page(form, invoice if invoice.id else None, conflict=conflict))


def _saved(invoice: Invoice, created: bool) -> Response:
    flash(f"{_named(invoice)} {'created' if created else 'saved'}."
          + ("" if invoice.number else " Xero gives it a number when it is sent."), "success")
    return redirect(url_for("invoices.detail", invoice_id=invoice.id))


def _named(invoice: Invoice) -> str:
    return f"Invoice {invoice.number}" if invoice.number else "Invoice"


def _form_page(form: InvoiceForm, invoice: Invoice | None, duplicate_of: Invoice | None = None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, invoice)
    return render_template("invoices/form.html", form=form, invoice=invoice,
                           duplicate_of=duplicate_of, conflict=conflict,
                           **editing.form_totals(form, current_user.workspace))
