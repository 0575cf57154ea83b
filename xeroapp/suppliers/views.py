"""Suppliers: who the workspace buys from. Listed, searched, created, edited, and deleted while
no purchase order uses them."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.deletion import delete_unless_blocked
from xeroapp.extensions import db
from xeroapp.listing import paginate, where_contains, workspace_select
from xeroapp.models import PurchaseOrder, Supplier
from xeroapp.panel import xero_state
from xeroapp.rendering import render_page_or_partial
from xeroapp.suppliers import bp
from xeroapp.suppliers.forms import SupplierForm

# Columns the list's search box looks in.
SEARCHED = (Supplier.name, Supplier.email, Supplier.first_name, Supplier.last_name,
            Supplier.account_number, Supplier.phone)


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    query = where_contains(workspace_select(Supplier), SEARCHED, q)
    query = query.order_by(Supplier.name, Supplier.id)
    return render_page_or_partial("suppliers/index.html", "suppliers/partials/_table.html",
                                  page=paginate(query), q=q)


@bp.get("/<id:supplier_id>")
def detail(supplier_id: int):
    supplier = get_owned_or_404(Supplier, supplier_id)
    return render_page_or_partial("suppliers/detail.html", "suppliers/partials/_details.html",
                                  supplier=supplier, order_count=_order_count(supplier),
                                  xero_contact=xero_state.contact_in_xero(supplier))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = SupplierForm(workspace_id=current_user.workspace_id)
    if form.validate_on_submit():
        supplier = Supplier(workspace_id=current_user.workspace_id)
        form.apply_to(supplier)
        db.session.add(supplier)
        db.session.commit()
        flash(f"Supplier {supplier.name} added.", "success")
        return redirect(url_for("suppliers.detail", supplier_id=supplier.id))
    return _render_form(form, supplier=None)


@bp.route("/<id:supplier_id>/edit", methods=["GET", "POST"])
def edit(supplier_id: int):
    supplier = get_owned_or_404(Supplier, supplier_id)
    form = SupplierForm(obj=supplier, workspace_id=current_user.workspace_id,
                        supplier_id=supplier.id)
    conflict = stale.check(form, supplier)
    if conflict is not None:  # changed since this form was opened: keep what was typed
        return stale.refused(conflict, lambda: _form_page(form, supplier, conflict))
    if form.validate_on_submit():
        form.apply_to(supplier)
        db.session.commit()
        flash("Supplier saved.", "success")
        return redirect(url_for("suppliers.detail", supplier_id=supplier.id))
    return _render_form(form, supplier=supplier)


@bp.post("/<id:supplier_id>/delete")
def delete(supplier_id: int):
    """Only an unused supplier goes: a purchase order must keep the supplier it was made for."""
    supplier = get_owned_or_404(Supplier, supplier_id)
    return delete_unless_blocked(
        supplier, _delete_blocker(supplier), deleted=f"Supplier {supplier.name} deleted.",
        label=supplier.name,
        kept_url=url_for("suppliers.detail", supplier_id=supplier.id),
        gone_url=url_for("suppliers.index"))


def _delete_blocker(supplier: Supplier) -> str | None:
    orders = _order_count(supplier)
    if not orders:
        return None
    return (f"{supplier.name} cannot be deleted: {orders} purchase order"
            f"{'s use' if orders > 1 else ' uses'} this supplier.")


def _order_count(supplier: Supplier) -> int:
    query = sa.select(sa.func.count()).select_from(PurchaseOrder).where(
        PurchaseOrder.supplier_id == supplier.id)
    return db.session.scalar(query) or 0


def _render_form(form: SupplierForm, supplier: Supplier | None):
    """The form page; 422 after a failed submit so htmx and tests can tell it from success."""
    return _form_page(form, supplier), 422 if form.errors else 200


def _form_page(form: SupplierForm, supplier: Supplier | None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, supplier)
    return render_template("suppliers/form.html", form=form, supplier=supplier, conflict=conflict)
