"""Invoices: list with filters, create, edit, duplicate, mark as sent, and live totals."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.clients.views import detail_tab
from xeroapp.extensions import db
from xeroapp.ids import arg_id, optional_id
from xeroapp.invoices import bp, editing, tax
from xeroapp.invoices.forms import InvoiceForm
from xeroapp.invoices.numbering import number_taken
from xeroapp.invoices.totals import compute_totals
from xeroapp.limits import MAX_LINES
from xeroapp.listing import paginate, workspace_select
from xeroapp.models import Invoice, Product
from xeroapp.models.documents import INVOICE_STATUSES
from xeroapp.rendering import render_page_or_partial

NUMBER_TAKEN = "Another invoice already has this number. Invoice numbers must be unique (Xero requires it)."


@bp.get("/")
def index():
    client_id = arg_id("client")
    filters = {"status": request.args.get("status", ""), "client": str(client_id or ""),
               "q": request.args.get("q", "").strip()}
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
    rate_of = tax.rate_lookup(current_user.workspace)
    return render_page_or_partial(
        "invoices/index.html", "invoices/partials/_table.html", page=paginate(query),
        filters=filters, filtered=any(filters.values()),
        clients=editing.client_choices(current_user.workspace_id),
        total_of=lambda invoice: editing.invoice_totals(invoice, rate_of).total,
    )


@bp.get("/<id:invoice_id>")
def detail(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id)
    return render_page_or_partial("invoices/detail.html", "invoices/partials/_details.html",
                                  invoice=invoice, totals=editing.invoice_totals(invoice),
                                  tab=detail_tab(), tax_name=tax.rate_namer(current_user.workspace))


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
    return _render_form(form, None, duplicate_of=source)


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
                           **_totals_context(form, current_user.workspace))


@bp.post("/lines")
def lines():
    """The lines block re-rendered (htmx) after ``op``: "add", "remove-<row>" or "product-<row>"
    (that row refilled from the product just chosen). Nothing is validated or saved here."""
    workspace = current_user.workspace
    form = editing.configure(InvoiceForm(), workspace)
    op, _, row = request.form.get("op", "").partition("-")
    entries = {entry.name.rsplit("-", 1)[-1]: entry for entry in form.lines.entries}
    if op == "add":
        if len(entries) < MAX_LINES:  # at the limit the block comes back as it was, saying so
            form.add_line()
    elif op == "remove" and row in entries:
        form.remove_lines([entries[row]])
    elif op == "product" and row in entries:
        product = _owned_product(entries[row].form.product_id.data)
        if product is not None:
            editing.fill_from_product(entries[row].form, product)
    form.ensure_a_row()
    return render_template("invoices/partials/_lines.html", form=form,
                           **_totals_context(form, workspace))


def _owned_product(product_id: str | None) -> Product | None:
    record_id = optional_id(product_id)
    if record_id is None:
        return None
    product = db.session.get(Product, record_id)
    return product if product and product.workspace_id == current_user.workspace_id else None


def _save_or_render(form: InvoiceForm, invoice: Invoice):
    if form.is_submitted():
        form.drop_blank_lines()
        conflict = stale.check(form, invoice)
        if conflict is not None:  # changed since this form was opened: keep what was typed
            form.ensure_a_row()
            return stale.refused(conflict, lambda: _render_form(form, invoice, conflict=conflict))
    if form.validate_on_submit() and _number_is_free(form, invoice):
        editing.apply_form(invoice, form)
        created = invoice.id is None
        db.session.add(invoice)
        try:
            db.session.commit()
        except IntegrityError:  # the same number saved by someone else a moment ago
            db.session.rollback()
            form.number.errors.append(NUMBER_TAKEN)
        else:
            flash(f"{_named(invoice)} {'created' if created else 'saved'}."
                  + ("" if invoice.number else " Xero gives it a number when it is sent."),
                  "success")
            return redirect(url_for("invoices.detail", invoice_id=invoice.id))
    form.ensure_a_row()
    return _render_form(form, invoice if invoice.id else None)


def _named(invoice: Invoice) -> str:
    return f"Invoice {invoice.number}" if invoice.number else "Invoice"


def _number_is_free(form: InvoiceForm, invoice: Invoice) -> bool:
    number = (form.number.data or "").strip()  # empty: Xero numbers it (nothing to clash)
    if number and number_taken(current_user.workspace_id, number, exclude_id=invoice.id):
        form.number.errors.append(NUMBER_TAKEN)
        return False
    return True


def _render_form(form: InvoiceForm, invoice: Invoice | None, duplicate_of: Invoice | None = None,
                 conflict: stale.Conflict | None = None):
    stale.stamp(form, invoice)
    return render_template("invoices/form.html", form=form, invoice=invoice,
                           duplicate_of=duplicate_of, conflict=conflict,
                           **_totals_context(form, current_user.workspace))


def _totals_context(form: InvoiceForm, workspace) -> dict:
    """Totals of the form as it stands, and each row's amount by row number."""
    rows = editing.posted_figures(form)
    result = compute_totals([figures for _, figures in rows], form.amount_type.data or "Exclusive",
                            tax.rate_lookup(workspace))
    return {"totals": result, "currency": form.currency.data or workspace.default_currency,
            "row_amounts": dict(zip([row for row, _ in rows], result.line_amounts))}
