"""Between the invoice form and the Invoice rows: choices, prefilled values, saving lines."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from xeroapp.documents.editing import apply_lines, text_or_none
from xeroapp.documents.lines import set_value
from xeroapp.documents.totals import LineFigures, Totals, amount_type_or_default, compute_totals
from xeroapp.extensions import db
from xeroapp.invoices import tax
from xeroapp.invoices.forms import Choices, InvoiceForm, LineForm
from xeroapp.invoices.numbering import number_for_new
from xeroapp.models import Client, Invoice, InvoiceLine, Product, Workspace

# Payment terms for a new invoice when nothing else says otherwise: due two weeks after issue.
DEFAULT_TERMS = timedelta(days=14)


def client_choices(workspace_id: int) -> Choices:
    rows = db.session.execute(sa.select(Client.id, Client.name)
                              .where(Client.workspace_id == workspace_id)
                              .order_by(Client.name, Client.id))
    return [SelectChoice(str(row.id), row.name) for row in rows]


def product_choices(workspace_id: int, keep: set[int] | None = None) -> Choices:
    """Published products (Shipping and Handling is not), plus any already on the invoice."""
    shown = Product.published.is_(True)
    if keep:
        shown = sa.or_(shown, Product.id.in_(keep))
    rows = db.session.execute(sa.select(Product.id, Product.name, Product.sku)
                              .where(Product.workspace_id == workspace_id, shown)
                              .order_by(Product.name, Product.id))
    return [SelectChoice("", "—"), *(SelectChoice(str(row.id), f"{row.name} ({row.sku})") for row in rows)]


def configure(form: InvoiceForm, workspace: Workspace, invoice: Invoice | None = None) -> InvoiceForm:
    saved = invoice.lines if invoice is not None else []
    form.configure(
        workspace_id=workspace.id, invoice_id=invoice.id if invoice is not None else None,
        clients=client_choices(workspace.id),
        products=product_choices(workspace.id, {line.product_id for line in saved if line.product_id}),
        tax_rates=tax.rate_choices(workspace, {line.tax_type for line in saved if line.tax_type}),
        numbered_by_xero=workspace.numbered_by_xero,
    )
    return form


def new_invoice_data(workspace: Workspace, client_id: int | None = None) -> dict[str, Any]:
    today = date.today()
    return {
        "number": number_for_new(workspace),
        "client_id": str(client_id) if client_id else "",
        "issue_date": today,
        "due_date": today + DEFAULT_TERMS,
        "currency": workspace.default_currency,
        "amount_type": "Exclusive",
        "lines": [{"quantity": 1}],
    }


def invoice_data(invoice: Invoice, workspace: Workspace) -> dict[str, Any]:
    """The invoice as its form shows it; one still waiting for Xero's number is offered the
    workspace's next own number if the workspace numbers its own documents now."""
    return {
        "number": invoice.number or number_for_new(workspace),
        "client_id": str(invoice.client_id),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "reference": invoice.reference or "",
        "currency": invoice.currency,
        "amount_type": invoice.amount_type,
        "lines": [line_data(line) for line in invoice.lines],
    }


def line_data(line: InvoiceLine) -> dict[str, Any]:
    return {
        "line_id": str(line.id) if line.id else "",
        "product_id": str(line.product_id) if line.product_id else "",
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_rate": line.discount_rate,
        "account_code": line.account_code or "",
        "tax_type": line.tax_type or "",
    }


def duplicate_data(invoice: Invoice, workspace: Workspace) -> dict[str, Any]:
    """The invoice's values for a new one: a new number, today's date, the same terms."""
    data = invoice_data(invoice, workspace)
    today = date.today()
    terms = (invoice.due_date - invoice.issue_date) if invoice.due_date else DEFAULT_TERMS
    data.update(number=number_for_new(workspace), issue_date=today, due_date=today + terms)
    for line in data["lines"]:
        line["line_id"] = ""
    return data


def fill_from_product(line: LineForm, product: Product | None) -> None:
    """Choosing a product brings its sales details, as picking an item does in Xero."""
    if product is None:  # none chosen, or not one of this workspace's: the row stays as typed
        return
    set_value(line.description, product.name)
    if product.sale_price is not None:
        set_value(line.unit_price, product.sale_price)
    if product.sales_account_code:
        set_value(line.account_code, product.sales_account_code)
    if product.tax_type and product.tax_type in {choice.value for choice in line.tax_type.choices}:
        line.tax_type.data = product.tax_type


def apply_form(invoice: Invoice, form: InvoiceForm) -> None:
    """Copy a validated form onto ``invoice``; its lines are edited in place (xeroapp.documents)."""
    invoice.number = text_or_none(form.number.data)  # None: Xero numbers it
    invoice.client_id = int(form.client_id.data)
    invoice.issue_date = form.issue_date.data
    invoice.due_date = form.due_date.data
    invoice.reference = text_or_none(form.reference.data)
    invoice.currency = form.currency.data
    invoice.amount_type = form.amount_type.data
    apply_lines(invoice, form.line_forms(), InvoiceLine, _apply_line)


def save(form: InvoiceForm, invoice: Invoice) -> Invoice | None:
    """Copy the form onto ``invoice`` and commit; None (with a field error) when the database's
    unique constraint finds the number saved by someone else a moment ago."""
    apply_form(invoice, form)
    db.session.add(invoice)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.number.errors.append(form.number_taken_message)
        return None
    return invoice


def _apply_line(row: LineForm, line: InvoiceLine) -> None:
    line.product_id = int(row.product_id.data) if row.product_id.data else None
    line.description = row.description.data.strip()
    line.quantity = row.quantity.data
    line.unit_price = row.unit_price.data
    line.discount_rate = row.discount_rate.data or None
    line.account_code = text_or_none(row.account_code.data)
    line.tax_type = row.tax_type.data or None


def form_totals(form: InvoiceForm, workspace: Workspace) -> dict[str, Any]:
    """Totals of the form as it stands, and each row's amount by row number (for the page)."""
    result = compute_totals([line.figures() for line in form.line_forms()],
                            amount_type_or_default(form.amount_type.data),
                            tax.rate_lookup(workspace))
    return {"totals": result, "currency": form.currency.data or workspace.default_currency,
            "row_amounts": {str(row): amount for row, amount in enumerate(result.line_amounts)}}


def invoice_totals(invoice: Invoice, rate_of=None) -> Totals:
    rate_of = rate_of or tax.rate_lookup(invoice_workspace(invoice))
    figures = [LineFigures(line.quantity, line.unit_price, line.discount_rate, line.tax_type)
               for line in invoice.lines]
    return compute_totals(figures, invoice.amount_type, rate_of)


def invoice_workspace(invoice: Invoice) -> Workspace:
    return db.session.get(Workspace, invoice.workspace_id)
